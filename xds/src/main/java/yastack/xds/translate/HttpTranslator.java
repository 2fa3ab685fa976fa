package yastack.xds.translate;

import static yastack.xds.translate.Fields.child;
import static yastack.xds.translate.Fields.element;
import static yastack.xds.translate.Fields.only;

import com.google.protobuf.Any;
import com.google.protobuf.Struct;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import java.util.Map;
import java.util.Set;
import yastack.api.config.FilterRef;
import yastack.api.config.RouterRef;
import yastack.api.config.UpgradeConfig;

/**
 * Envoy's HTTP connection manager as ours. Its {@code http_filters} end with Envoy's router
 * (our route table, from {@code rds} or an inline {@code route_config}) or with one of our
 * routers; the filters before it are our plugins or inline scripts ({@link Extension}).
 */
final class HttpTranslator {
    static final String ROUTER = "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router";

    record Result(yastack.api.config.HttpConnectionManager http, String rdsName, Set<String> clusters) {}

    private final InlineScripts scripts;

    HttpTranslator(InlineScripts scripts) {
        this.scripts = scripts;
    }

    Result translate(HttpConnectionManager hcm, String path) throws Rejection {
        only(hcm, path, "stat_prefix", "codec_type", "rds", "route_config", "http_filters", "common_http_protocol_options",
                "request_headers_timeout", "max_request_headers_kb", "server_name", "via", "upgrade_configs",
                "use_remote_address", "generate_request_id");
        var codec = switch (hcm.getCodecType()) {
            case AUTO -> yastack.api.config.HttpConnectionManager.CodecType.AUTO;
            case HTTP1 -> yastack.api.config.HttpConnectionManager.CodecType.HTTP1;
            case HTTP2 -> yastack.api.config.HttpConnectionManager.CodecType.HTTP2;
            default -> throw new Rejection(child(path, "codec_type"), hcm.getCodecType() + " is not supported: AUTO, HTTP1 or HTTP2");
        };
        if (hcm.hasGenerateRequestId() && !hcm.getGenerateRequestId().getValue()) {
            throw new Rejection(child(path, "generate_request_id"), "request ids are always generated when absent");
        }
        var out = yastack.api.config.HttpConnectionManager.newBuilder().setServerName(hcm.getServerName()).setCodecType(codec);
        if (hcm.hasCommonHttpProtocolOptions()) {
            var o = hcm.getCommonHttpProtocolOptions();
            only(o, child(path, "common_http_protocol_options"), "idle_timeout", "max_requests_per_connection");
            if (o.hasIdleTimeout()) out.setIdleTimeout(o.getIdleTimeout());
            if (o.hasMaxRequestsPerConnection()) out.setMaxRequestsPerConnection(o.getMaxRequestsPerConnection().getValue());
        }
        if (hcm.hasRequestHeadersTimeout()) out.setRequestHeadersTimeout(hcm.getRequestHeadersTimeout());
        if (hcm.hasMaxRequestHeadersKb()) out.setMaxRequestHeadersKb(hcm.getMaxRequestHeadersKb().getValue());
        if (!hcm.getVia().isEmpty()) out.setVia(hcm.getVia());
        for (int i = 0; i < hcm.getUpgradeConfigsCount(); i++) {
            var u = hcm.getUpgradeConfigs(i);
            only(u, element(path, "upgrade_configs", i), "upgrade_type", "enabled");
            if (!u.hasEnabled() || u.getEnabled().getValue()) out.addUpgradeConfigs(UpgradeConfig.newBuilder().setUpgradeType(u.getUpgradeType()));
        }
        boolean envoyRouter = filters(hcm, path, out);
        String rdsName = null;
        Set<String> clusters = Set.of();
        if (envoyRouter) {
            if (hcm.hasRds()) {
                var rds = hcm.getRds();
                only(rds, child(path, "rds"), "config_source", "route_config_name");
                adsSource(rds.getConfigSource(), child(path, "rds.config_source"));
                if (rds.getRouteConfigName().isEmpty()) throw new Rejection(child(path, "rds.route_config_name"), "is required");
                rdsName = rds.getRouteConfigName();
            } else if (hcm.hasRouteConfig()) {
                var rc = RouteTranslator.translate(hcm.getRouteConfig(), child(path, "route_config"));
                out.setRouteConfig(rc);
                clusters = RouteTranslator.clusters(rc);
            } else {
                throw new Rejection(path, "needs rds or route_config for envoy.filters.http.router");
            }
        } else if (hcm.hasRds() || hcm.hasRouteConfig()) {
            throw new Rejection(child(path, hcm.hasRds() ? "rds" : "route_config"),
                    "the last http filter is a yastack router, which routes instead of a route table");
        }
        return new Result(out.build(), rdsName, clusters);
    }

    /** Envoy's own config of a filter we have as a plugin, read into that plugin's config. */
    private record EnvoyFilter(String plugin, Translation translation) {}

    @FunctionalInterface
    private interface Translation {
        Struct translate(Any typedConfig, String path) throws Rejection;
    }

    private static final Map<String, EnvoyFilter> ENVOY_FILTERS = Map.of(
            ExtAuthzTranslator.TYPE, new EnvoyFilter("ext_authz", ExtAuthzTranslator::translate),
            JwtAuthnTranslator.TYPE, new EnvoyFilter("jwt_authn", JwtAuthnTranslator::translate),
            FaultTranslator.TYPE, new EnvoyFilter("fault", FaultTranslator::translate),
            RbacTranslator.TYPE, new EnvoyFilter("rbac", RbacTranslator::translate));

    /** Adds the filters and our router if any; true when Envoy's router ends the chain. */
    private boolean filters(HttpConnectionManager hcm, String path, yastack.api.config.HttpConnectionManager.Builder out)
            throws Rejection {
        int n = hcm.getHttpFiltersCount();
        if (n == 0) throw new Rejection(child(path, "http_filters"), "needs a router as the last filter (envoy.filters.http.router)");
        for (int i = 0; i < n; i++) {
            HttpFilter f = hcm.getHttpFilters(i);
            String p = element(path, "http_filters", i);
            only(f, p, "name", "typed_config");
            boolean last = i == n - 1;
            if (f.getTypedConfig().getTypeUrl().equals(ROUTER)) {
                if (!last) throw new Rejection(p, "envoy.filters.http.router must be the last filter");
                Router r = ListenerTranslator.unpack(f.getTypedConfig(), Router.class, p + ".typed_config");
                only(r, p + ".typed_config");
                return true;
            }
            EnvoyFilter envoy = ENVOY_FILTERS.get(f.getTypedConfig().getTypeUrl());
            if (envoy != null) {
                if (last) throw new Rejection(p, "needs a router after it (envoy.filters.http.router)");
                out.addFilters(FilterRef.newBuilder().setName(envoy.plugin())
                        .setConfig(envoy.translation().translate(f.getTypedConfig(), p + ".typed_config")));
                continue;
            }
            Extension e = Extension.of(f.getTypedConfig(), p + ".typed_config");
            if (last) {
                var router = RouterRef.newBuilder().setConfig(e.config());
                if (e.plugin() != null) router.setPlugin(e.plugin());
                else router.setScript(scripts.file(f.getName(), e.source()).toString());
                out.setRouter(router);
            } else {
                var filter = FilterRef.newBuilder().setConfig(e.config());
                if (e.plugin() != null) filter.setName(e.plugin());
                else filter.setScript(scripts.file(f.getName(), e.source()).toString());
                out.addFilters(filter);
            }
        }
        return false;
    }

    /** Routes come over the same ADS stream (or from the listener's own source, which is it). */
    static void adsSource(ConfigSource s, String path) throws Rejection {
        only(s, path, "ads", "resource_api_version", "initial_fetch_timeout");
        if (!s.hasAds()) throw new Rejection(path, "only ads: {} is supported (resources come over the ADS stream)");
    }
}
