package yastack.xds.translate;

import static yastack.xds.translate.Fields.child;
import static yastack.xds.translate.Fields.element;
import static yastack.xds.translate.Fields.only;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.Metadata;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import yastack.api.config.FilterRef;
import yastack.api.config.ListenerTls;
import yastack.api.config.SocketFlavor;
import yastack.api.config.TlsCertificate;

/**
 * Envoy's {@code Listener} as ours: one filter chain whose last network filter is the HTTP
 * connection manager or the TCP proxy. The socket flavor comes from the listener's metadata
 * ({@code filter_metadata: {yastack: {flavor: userspace}}}).
 */
public final class ListenerTranslator {
    static final String HCM = "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager";
    static final String TCP_PROXY = "type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy";
    static final String DOWNSTREAM_TLS = "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext";
    private static final Set<String> LISTENER_FILTERS = Set.of("envoy.filters.listener.tls_inspector",
            "envoy.filters.listener.proxy_protocol");

    private final InlineScripts scripts;

    public ListenerTranslator(InlineScripts scripts) {
        this.scripts = scripts;
    }

    public ListenerResource translate(Listener l) throws Rejection {
        only(l, "", "name", "address", "filter_chains", "default_filter_chain", "listener_filters", "metadata",
                "stat_prefix", "traffic_direction", "enable_reuse_port");
        var out = yastack.api.config.Listener.newBuilder().setName(l.getName());
        address(l.getAddress(), "address", out);
        out.setFlavor(flavor(l.getMetadata(), "metadata"));
        for (int i = 0; i < l.getListenerFiltersCount(); i++) {
            var f = l.getListenerFilters(i);
            String name = f.getName();
            if (!LISTENER_FILTERS.contains(name)) {
                throw new Rejection(element("", "listener_filters", i), "'" + name + "' is not supported; "
                        + "envoy.filters.listener.tls_inspector (SNI is always read) and envoy.filters.listener.proxy_protocol are");
            }
            if (name.equals("envoy.filters.listener.proxy_protocol")) out.setProxyProtocol(true);
        }
        FilterChain chain;
        String chainPath;
        if (l.getFilterChainsCount() == 1 && !l.hasDefaultFilterChain()) {
            chain = l.getFilterChains(0);
            chainPath = "filter_chains[0]";
        } else if (l.getFilterChainsCount() == 0 && l.hasDefaultFilterChain()) {
            chain = l.getDefaultFilterChain();
            chainPath = "default_filter_chain";
        } else {
            throw new Rejection("filter_chains", "exactly one filter chain is supported (no filter_chain_match), got "
                    + (l.getFilterChainsCount() + (l.hasDefaultFilterChain() ? 1 : 0)));
        }
        only(chain, chainPath, "filters", "transport_socket", "name");
        TlsSecrets secrets = TlsSecrets.NONE;
        if (chain.hasTransportSocket()) {
            String tp = child(chainPath, "transport_socket.typed_config");
            DownstreamTlsContext d = downstreamTls(chain.getTransportSocket().getTypedConfig(), tp);
            out.setTls(tls(d, tp));
            secrets = sdsSecrets(d.getCommonTlsContext(), child(tp, "common_tls_context"));
            if (out.getTls().getCertificatesCount() == 0 && secrets.certificates().isEmpty()) {
                throw new Rejection(child(tp, "common_tls_context"), "needs tls_certificates or tls_certificate_sds_secret_configs");
            }
        }
        if (chain.getFiltersCount() == 0) throw new Rejection(child(chainPath, "filters"), "needs a network filter");
        int last = chain.getFiltersCount() - 1;
        Filter terminal = chain.getFilters(last);
        String tpath = element(chainPath, "filters", last) + ".typed_config";
        String url = terminal.getTypedConfig().getTypeUrl();
        if (url.equals(HCM)) {
            if (last > 0) throw new Rejection(element(chainPath, "filters", 0), "network filters before the HTTP connection manager are not supported");
            HttpConnectionManager hcm = unpack(terminal.getTypedConfig(), HttpConnectionManager.class, tpath);
            HttpTranslator.Result r = new HttpTranslator(scripts).translate(hcm, tpath);
            out.setHttp(r.http());
            return new ListenerResource(out.build(), r.rdsName(), r.clusters(), hcm.getStatPrefix(), secrets);
        }
        if (url.equals(TCP_PROXY)) {
            TcpProxy tcp = unpack(terminal.getTypedConfig(), TcpProxy.class, tpath);
            only(tcp, tpath, "stat_prefix", "cluster", "idle_timeout");
            var t = yastack.api.config.TcpProxy.newBuilder().setCluster(tcp.getCluster());
            if (tcp.hasIdleTimeout()) t.setIdleTimeout(tcp.getIdleTimeout());
            for (int i = 0; i < last; i++) {
                String p = element(chainPath, "filters", i) + ".typed_config";
                Extension e = Extension.of(chain.getFilters(i).getTypedConfig(), p);
                if (e.plugin() == null) throw new Rejection(p, "L4 filters are plugins, not scripts");
                t.addFilters(FilterRef.newBuilder().setName(e.plugin()).setConfig(e.config()));
            }
            out.setTcp(t);
            Set<String> clusters = new LinkedHashSet<>();
            clusters.add(tcp.getCluster());
            return new ListenerResource(out.build(), null, clusters, tcp.getStatPrefix(), secrets);
        }
        throw new Rejection(tpath, "the last network filter must be envoy.filters.network.http_connection_manager "
                + "or envoy.filters.network.tcp_proxy, got " + url);
    }

    static void address(Address a, String path, yastack.api.config.Listener.Builder out) throws Rejection {
        only(a, path, "socket_address");
        SocketAddress s = a.getSocketAddress();
        String p = child(path, "socket_address");
        only(s, p, "address", "port_value", "protocol");
        if (s.getProtocol() != SocketAddress.Protocol.TCP) throw new Rejection(child(p, "protocol"), "only TCP is supported");
        out.setAddress(s.getAddress()).setPort(s.getPortValue());
    }

    /** {@code filter_metadata.yastack.flavor}: host (default) or userspace. */
    static SocketFlavor flavor(Metadata m, String path) throws Rejection {
        Struct ours = m.getFilterMetadataOrDefault("yastack", Struct.getDefaultInstance());
        String p = path + ".filter_metadata.yastack";
        for (var e : ours.getFieldsMap().entrySet()) {
            if (!e.getKey().equals("flavor")) throw new Rejection(p + "." + e.getKey(), "unknown yastack setting; only flavor is read");
        }
        Value v = ours.getFieldsOrDefault("flavor", Value.getDefaultInstance());
        if (v.getKindCase() == Value.KindCase.KIND_NOT_SET) return SocketFlavor.HOST;
        return switch (v.getStringValue()) {
            case "host" -> SocketFlavor.HOST;
            case "userspace" -> SocketFlavor.USERSPACE;
            default -> throw new Rejection(p + ".flavor", "must be host or userspace, got "
                    + (v.getKindCase() == Value.KindCase.STRING_VALUE ? "'" + v.getStringValue() + "'" : "a " + v.getKindCase()));
        };
    }

    private static DownstreamTlsContext downstreamTls(Any any, String path) throws Rejection {
        if (!any.getTypeUrl().equals(DOWNSTREAM_TLS)) throw new Rejection(path, "only DownstreamTlsContext is supported, got " + any.getTypeUrl());
        return unpack(any, DownstreamTlsContext.class, path);
    }

    /** The SDS secrets named, which must come over the same ADS stream ({@code sds_config: {ads: {}}}). */
    static TlsSecrets sdsSecrets(CommonTlsContext ctx, String path) throws Rejection {
        List<String> certificates = new ArrayList<>();
        for (int i = 0; i < ctx.getTlsCertificateSdsSecretConfigsCount(); i++) {
            certificates.add(sdsName(ctx.getTlsCertificateSdsSecretConfigs(i), element(path, "tls_certificate_sds_secret_configs", i)));
        }
        String ca = ctx.hasValidationContextSdsSecretConfig()
                ? sdsName(ctx.getValidationContextSdsSecretConfig(), child(path, "validation_context_sds_secret_config")) : null;
        return certificates.isEmpty() && ca == null ? TlsSecrets.NONE : new TlsSecrets(List.copyOf(certificates), ca);
    }

    private static String sdsName(SdsSecretConfig c, String path) throws Rejection {
        only(c, path, "name", "sds_config");
        if (c.getName().isEmpty()) throw new Rejection(child(path, "name"), "is required");
        if (!c.hasSdsConfig() || !c.getSdsConfig().hasAds()) {
            throw new Rejection(child(path, "sds_config"), "only ads is supported (the secret comes over the ADS stream)");
        }
        return c.getName();
    }

    private static ListenerTls tls(DownstreamTlsContext d, String path) throws Rejection {
        only(d, path, "common_tls_context", "require_client_certificate", "ocsp_staple_policy");
        var ctx = d.getCommonTlsContext();
        String p = child(path, "common_tls_context");
        only(ctx, p, "tls_certificates", "alpn_protocols", "validation_context", "tls_certificate_sds_secret_configs",
                "validation_context_sds_secret_config");
        if (ctx.hasValidationContext() && ctx.hasValidationContextSdsSecretConfig()) {
            throw new Rejection(p, "has validation_context and validation_context_sds_secret_config; give one");
        }
        var out = ListenerTls.newBuilder().addAllAlpn(ctx.getAlpnProtocolsList()).setOcspStaplePolicy(switch (d.getOcspStaplePolicy()) {
            case LENIENT_STAPLING -> ListenerTls.OcspStaplePolicy.LENIENT_STAPLING;
            case STRICT_STAPLING -> ListenerTls.OcspStaplePolicy.STRICT_STAPLING;
            case MUST_STAPLE -> ListenerTls.OcspStaplePolicy.MUST_STAPLE;
            case UNRECOGNIZED -> throw new Rejection(child(path, "ocsp_staple_policy"), "unknown policy " + d.getOcspStaplePolicyValue());
        });
        for (int i = 0; i < ctx.getTlsCertificatesCount(); i++) {
            var c = ctx.getTlsCertificates(i);
            String cp = element(p, "tls_certificates", i);
            only(c, cp, "certificate_chain", "private_key", "ocsp_staple");
            var cert = TlsCertificate.newBuilder().setCert(file(c.getCertificateChain(), child(cp, "certificate_chain")))
                    .setKey(file(c.getPrivateKey(), child(cp, "private_key")));
            if (c.hasOcspStaple()) cert.setOcspStaple(file(c.getOcspStaple(), child(cp, "ocsp_staple")));
            out.addCertificates(cert);
        }
        if (ctx.hasValidationContext() || ctx.hasValidationContextSdsSecretConfig()) {
            if (d.hasRequireClientCertificate() && !d.getRequireClientCertificate().getValue()) {
                throw new Rejection(child(path, "require_client_certificate"), "a validation context always requires client certificates here");
            }
        }
        if (ctx.hasValidationContext()) {
            only(ctx.getValidationContext(), child(p, "validation_context"), "trusted_ca");
            out.setClientCa(file(ctx.getValidationContext().getTrustedCa(), child(p, "validation_context.trusted_ca")));
        }
        return out.build();
    }

    /** Certificates and keys are files on the proxy's machine (SDS and inline PEM are not supported). */
    static String file(DataSource d, String path) throws Rejection {
        if (d.getSpecifierCase() != DataSource.SpecifierCase.FILENAME) throw new Rejection(path, "only filename is supported");
        return d.getFilename();
    }

    static <T extends Message> T unpack(Any any, Class<T> type, String path) throws Rejection {
        try {
            return any.unpack(type);
        } catch (InvalidProtocolBufferException e) {
            throw new Rejection(path, "cannot decode " + any.getTypeUrl() + ": " + e.getMessage());
        }
    }
}
