package yastack.xds.translate;

import static yastack.xds.translate.Fields.child;
import static yastack.xds.translate.Fields.element;
import static yastack.xds.translate.Fields.only;

import com.google.protobuf.Any;
import com.google.protobuf.util.Durations;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.HealthCheck;
import io.envoyproxy.envoy.config.core.v3.Http2ProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.RoutingPriority;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import java.util.Map;
import yastack.api.config.CircuitBreakers;
import yastack.api.config.ClusterTls;
import yastack.api.config.LbPolicy;
import yastack.api.config.LbPolicyKind;
import yastack.api.config.OutlierDetection;

/**
 * Envoy's {@code Cluster} (STATIC, STRICT_DNS, LOGICAL_DNS or EDS) as ours. The socket flavor comes from its metadata
 * ({@code filter_metadata: {yastack: {flavor: userspace}}}); a balancer plugin from
 * {@code load_balancing_policy} with a {@link Extension} typed config.
 */
public final class ClusterTranslator {
    static final String UPSTREAM_TLS = "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext";
    static final String HTTP_OPTIONS_KEY = "envoy.extensions.upstreams.http.v3.HttpProtocolOptions";
    /** Envoy's default; ours for file configs is 1s. */
    private static final long ENVOY_CONNECT_TIMEOUT_SECONDS = 5;
    /** Expected status ranges are expanded; more than this is not an answer a check expects. */
    private static final int MAX_EXPECTED_STATUSES = 400;

    private ClusterTranslator() {}

    @SuppressWarnings("deprecation") // http2_protocol_options: deprecated in v3, still sent by control planes
    public static ClusterResource translate(Cluster c) throws Rejection {
        only(c, "", "name", "type", "eds_cluster_config", "load_assignment", "connect_timeout", "lb_policy",
                "ring_hash_lb_config", "load_balancing_policy", "health_checks", "outlier_detection", "circuit_breakers",
                "transport_socket", "typed_extension_protocol_options", "http2_protocol_options", "metadata",
                // DNS settings; on STATIC and EDS clusters Envoy ignores them, and so do we.
                "dns_refresh_rate", "respect_dns_ttl", "dns_lookup_family", "dns_resolvers", "dns_resolution_config",
                "typed_dns_resolver_config");
        var out = yastack.api.config.Cluster.newBuilder().setName(c.getName())
                .setFlavor(ListenerTranslator.flavor(c.getMetadata(), "metadata"))
                .setConnectTimeout(c.hasConnectTimeout() ? c.getConnectTimeout() : Durations.fromSeconds(ENVOY_CONNECT_TIMEOUT_SECONDS));
        String eds = null;
        switch (c.getType()) {
            case STATIC -> {
                if (c.hasEdsClusterConfig()) throw new Rejection("eds_cluster_config", "is for type EDS");
                out.addAllEndpoints(EndpointTranslator.translate(c.getLoadAssignment(), "load_assignment"));
            }
            case EDS -> {
                if (c.hasLoadAssignment()) throw new Rejection("load_assignment", "an EDS cluster gets its endpoints from EDS");
                var e = c.getEdsClusterConfig();
                only(e, "eds_cluster_config", "eds_config", "service_name");
                HttpTranslator.adsSource(e.getEdsConfig(), "eds_cluster_config.eds_config");
                eds = e.getServiceName().isEmpty() ? c.getName() : e.getServiceName();
            }
            case STRICT_DNS, LOGICAL_DNS -> DnsTranslator.translate(c, out);
            default -> throw new Rejection("type", c.getType() + " is not supported (STATIC, STRICT_DNS, LOGICAL_DNS and EDS are)");
        }
        lbPolicy(c, out);
        if (c.getHealthChecksCount() > 1) throw new Rejection("health_checks", "one health check is supported, got " + c.getHealthChecksCount());
        if (c.getHealthChecksCount() == 1) out.setHealthCheck(healthCheck(c.getHealthChecks(0), "health_checks[0]"));
        if (c.hasOutlierDetection()) {
            var od = c.getOutlierDetection();
            only(od, "outlier_detection", "consecutive_5xx", "base_ejection_time", "max_ejection_percent");
            var o = OutlierDetection.newBuilder();
            if (od.hasConsecutive5Xx()) o.setConsecutive5Xx(od.getConsecutive5Xx().getValue());
            if (od.hasBaseEjectionTime()) o.setBaseEjectionTime(od.getBaseEjectionTime());
            if (od.hasMaxEjectionPercent()) o.setMaxEjectionPercent(od.getMaxEjectionPercent().getValue());
            out.setOutlierDetection(o);
        }
        if (c.hasCircuitBreakers()) {
            only(c.getCircuitBreakers(), "circuit_breakers", "thresholds");
            for (int i = 0; i < c.getCircuitBreakers().getThresholdsCount(); i++) {
                var t = c.getCircuitBreakers().getThresholds(i);
                String p = element("circuit_breakers", "thresholds", i);
                only(t, p, "priority", "max_retries");
                if (t.getPriority() != RoutingPriority.DEFAULT) throw new Rejection(child(p, "priority"), "only DEFAULT is supported");
                if (t.hasMaxRetries()) out.setCircuitBreakers(CircuitBreakers.newBuilder().setMaxRetries(t.getMaxRetries().getValue()));
            }
        }
        TlsSecrets secrets = TlsSecrets.NONE;
        if (c.hasTransportSocket()) {
            String tp = "transport_socket.typed_config";
            UpstreamTlsContext u = upstreamTls(c.getTransportSocket().getTypedConfig(), tp);
            out.setTls(tls(u, tp));
            secrets = ListenerTranslator.sdsSecrets(u.getCommonTlsContext(), child(tp, "common_tls_context"));
        }
        if (c.hasHttp2ProtocolOptions()) http2(c.getHttp2ProtocolOptions(), "http2_protocol_options", out);
        for (Map.Entry<String, Any> e : c.getTypedExtensionProtocolOptionsMap().entrySet()) {
            String p = "typed_extension_protocol_options['" + e.getKey() + "']";
            if (!e.getKey().equals(HTTP_OPTIONS_KEY)) throw new Rejection(p, "only " + HTTP_OPTIONS_KEY + " is supported");
            HttpProtocolOptions o = ListenerTranslator.unpack(e.getValue(), HttpProtocolOptions.class, p);
            only(o, p, "explicit_http_config", "common_http_protocol_options");
            if (o.hasCommonHttpProtocolOptions()) {
                only(o.getCommonHttpProtocolOptions(), child(p, "common_http_protocol_options"), "idle_timeout");
                if (o.getCommonHttpProtocolOptions().hasIdleTimeout()) out.setIdleTimeout(o.getCommonHttpProtocolOptions().getIdleTimeout());
            }
            if (o.hasExplicitHttpConfig()) {
                var x = o.getExplicitHttpConfig();
                String xp = child(p, "explicit_http_config");
                only(x, xp, "http_protocol_options", "http2_protocol_options");
                if (x.hasHttp2ProtocolOptions()) http2(x.getHttp2ProtocolOptions(), child(xp, "http2_protocol_options"), out);
                else if (x.hasHttpProtocolOptions()) only(x.getHttpProtocolOptions(), child(xp, "http_protocol_options"));
            }
        }
        return new ClusterResource(out.build(), eds, secrets);
    }

    private static void http2(Http2ProtocolOptions o, String path, yastack.api.config.Cluster.Builder out) throws Rejection {
        only(o, path, "max_concurrent_streams");
        var ours = out.getHttp2ProtocolOptionsBuilder();
        if (o.hasMaxConcurrentStreams()) ours.setMaxConcurrentStreams(o.getMaxConcurrentStreams().getValue());
    }

    private static void lbPolicy(Cluster c, yastack.api.config.Cluster.Builder out) throws Rejection {
        if (c.hasLoadBalancingPolicy()) {
            var policies = c.getLoadBalancingPolicy();
            only(policies, "load_balancing_policy", "policies");
            if (policies.getPoliciesCount() != 1) throw new Rejection("load_balancing_policy.policies", "give exactly one policy");
            var ext = policies.getPolicies(0).getTypedExtensionConfig();
            Extension e = Extension.of(ext.getTypedConfig(), "load_balancing_policy.policies[0].typed_extension_config.typed_config");
            if (e.plugin() == null) throw new Rejection("load_balancing_policy", "balancers are plugins, not scripts");
            out.setLbPolicy(LbPolicy.newBuilder().setPlugin(e.plugin()).setConfig(e.config()));
            return;
        }
        LbPolicyKind kind = switch (c.getLbPolicy()) {
            case ROUND_ROBIN -> LbPolicyKind.ROUND_ROBIN;
            case LEAST_REQUEST -> LbPolicyKind.LEAST_REQUEST;
            case RANDOM -> LbPolicyKind.RANDOM;
            case RING_HASH -> LbPolicyKind.RING_HASH;
            case MAGLEV -> LbPolicyKind.MAGLEV;
            default -> throw new Rejection("lb_policy", c.getLbPolicy() + " is not supported");
        };
        out.setLbPolicy(LbPolicy.newBuilder().setKind(kind));
        if (c.hasRingHashLbConfig()) {
            only(c.getRingHashLbConfig(), "ring_hash_lb_config", "minimum_ring_size");
            if (c.getRingHashLbConfig().hasMinimumRingSize()) {
                out.setRingSize((int) Math.min(Integer.MAX_VALUE, c.getRingHashLbConfig().getMinimumRingSize().getValue()));
            }
        }
    }

    private static yastack.api.config.HealthCheck healthCheck(HealthCheck h, String path) throws Rejection {
        only(h, path, "timeout", "interval", "unhealthy_threshold", "healthy_threshold", "http_health_check", "tcp_health_check");
        var out = yastack.api.config.HealthCheck.newBuilder();
        if (h.hasTimeout()) out.setTimeout(h.getTimeout());
        if (h.hasInterval()) out.setInterval(h.getInterval());
        if (h.hasUnhealthyThreshold()) out.setUnhealthyThreshold(h.getUnhealthyThreshold().getValue());
        if (h.hasHealthyThreshold()) out.setHealthyThreshold(h.getHealthyThreshold().getValue());
        switch (h.getHealthCheckerCase()) {
            case HTTP_HEALTH_CHECK -> {
                var http = h.getHttpHealthCheck();
                String p = child(path, "http_health_check");
                only(http, p, "host", "path", "expected_statuses");
                out.setHost(http.getHost()).setPath(http.getPath());
                for (int i = 0; i < http.getExpectedStatusesCount(); i++) {
                    var r = http.getExpectedStatuses(i);
                    // Envoy's ranges are half-open: [start, end).
                    if (r.getEnd() - r.getStart() > MAX_EXPECTED_STATUSES || r.getEnd() <= r.getStart()) {
                        throw new Rejection(element(p, "expected_statuses", i), "must be a range of HTTP statuses [start, end)");
                    }
                    for (long s = r.getStart(); s < r.getEnd(); s++) out.addExpectedStatuses((int) s);
                }
            }
            case TCP_HEALTH_CHECK -> only(h.getTcpHealthCheck(), child(path, "tcp_health_check"));
            default -> throw new Rejection(path, "needs http_health_check or tcp_health_check");
        }
        return out.build();
    }

    private static UpstreamTlsContext upstreamTls(Any any, String path) throws Rejection {
        if (!any.getTypeUrl().equals(UPSTREAM_TLS)) throw new Rejection(path, "only UpstreamTlsContext is supported, got " + any.getTypeUrl());
        return ListenerTranslator.unpack(any, UpstreamTlsContext.class, path);
    }

    private static ClusterTls tls(UpstreamTlsContext u, String path) throws Rejection {
        only(u, path, "sni", "common_tls_context");
        var out = ClusterTls.newBuilder().setSni(u.getSni());
        var ctx = u.getCommonTlsContext();
        String p = child(path, "common_tls_context");
        // ALPN follows the cluster's HTTP version (h2 with HTTP/2 options), as Envoy's auto config does.
        only(ctx, p, "validation_context", "alpn_protocols", "tls_certificates", "tls_certificate_sds_secret_configs",
                "validation_context_sds_secret_config");
        if (ctx.hasValidationContext() && ctx.hasValidationContextSdsSecretConfig()) {
            throw new Rejection(p, "has validation_context and validation_context_sds_secret_config; give one");
        }
        if (ctx.getTlsCertificatesCount() + ctx.getTlsCertificateSdsSecretConfigsCount() > 1) {
            throw new Rejection(p, "at most one client certificate (tls_certificates or tls_certificate_sds_secret_configs)");
        }
        if (ctx.getTlsCertificatesCount() == 1) {
            var c = ctx.getTlsCertificates(0);
            String cp = child(p, "tls_certificates[0]");
            only(c, cp, "certificate_chain", "private_key");
            out.setCert(ListenerTranslator.file(c.getCertificateChain(), child(cp, "certificate_chain")))
                    .setKey(ListenerTranslator.file(c.getPrivateKey(), child(cp, "private_key")));
        }
        if (ctx.hasValidationContext()) {
            only(ctx.getValidationContext(), child(p, "validation_context"), "trusted_ca");
            out.setCa(ListenerTranslator.file(ctx.getValidationContext().getTrustedCa(), child(p, "validation_context.trusted_ca")));
        }
        return out.build();
    }
}
