package yastack.xds;

import com.github.xds.type.v3.TypedStruct;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.TypeRegistry;
import com.google.protobuf.util.JsonFormat;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.envoyproxy.envoy.extensions.network.dns_resolver.cares.v3.CaresDnsResolverConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import java.time.Instant;
import java.util.Map;
import yastack.api.config.Bootstrap;

/**
 * The xDS part of {@code /config_dump}, shaped like Envoy's: per type the version, the
 * static resources' names, and each dynamic resource as received (Envoy JSON) with its
 * version, last update and whether it is active or still warming; plus the last rejection.
 */
final class ConfigDump {
    private static final JsonFormat.Printer PRINTER = JsonFormat.printer().preservingProtoFieldNames()
            .usingTypeRegistry(TypeRegistry.newBuilder().add(HttpConnectionManager.getDescriptor()).add(Router.getDescriptor())
                    .add(TcpProxy.getDescriptor()).add(DownstreamTlsContext.getDescriptor()).add(UpstreamTlsContext.getDescriptor())
                    .add(HttpProtocolOptions.getDescriptor()).add(TypedStruct.getDescriptor())
                    .add(CaresDnsResolverConfig.getDescriptor()).build());

    private ConfigDump() {}

    static String json(Bootstrap file, Map<XdsType, TypeState> states, Composer.Result current, String target, Instant connectedSince) {
        JsonObject out = new JsonObject();
        JsonObject cp = new JsonObject();
        cp.addProperty("target", target);
        cp.addProperty("connected", connectedSince != null);
        if (connectedSince != null) cp.addProperty("connected_since", connectedSince.toString());
        out.add("control_plane", cp);
        for (XdsType t : XdsType.values()) {
            TypeState s = states.get(t);
            if (s == null) continue;
            JsonObject section = new JsonObject();
            section.addProperty("version_info", s.version);
            if (t == XdsType.LISTENER) section.add("static_listeners", names(file, true));
            if (t == XdsType.CLUSTER) section.add("static_clusters", names(file, false));
            if (!t.wildcard) section.add("subscribed", strings(s.names));
            JsonArray dynamic = new JsonArray();
            s.resources.forEach((name, a) -> {
                JsonObject r = new JsonObject();
                r.addProperty("name", name);
                r.addProperty("state", warming(t, name, current) ? "warming" : "active");
                r.addProperty("version_info", a.version());
                r.addProperty("last_updated", a.lastUpdated().toString());
                r.add("resource", envoyJson(redacted(a.resource())));
                dynamic.add(r);
            });
            section.add("dynamic", dynamic);
            if (!s.lastError.isEmpty()) {
                JsonObject rej = new JsonObject();
                rej.addProperty("version_info", s.rejectedVersion);
                rej.addProperty("error", s.lastError);
                section.add("last_rejected", rej);
            }
            out.add(key(t), section);
        }
        return out.toString();
    }

    private static String key(XdsType t) {
        return switch (t) {
            case LISTENER -> "listeners";
            case ROUTE -> "route_configs";
            case CLUSTER -> "clusters";
            case ENDPOINT -> "endpoint_configs";
            case SECRET -> "secrets";
        };
    }

    private static boolean warming(XdsType t, String name, Composer.Result current) {
        return switch (t) {
            case LISTENER -> current.warmingListeners().contains(name);
            case CLUSTER -> current.warmingClusters().contains(name);
            default -> false;
        };
    }

    private static JsonArray names(Bootstrap file, boolean listeners) {
        JsonArray a = new JsonArray();
        if (listeners) file.getListenersList().forEach(l -> a.add(l.getName()));
        else file.getClustersList().forEach(c -> a.add(c.getName()));
        return a;
    }

    private static JsonArray strings(Iterable<String> values) {
        JsonArray a = new JsonArray();
        values.forEach(a::add);
        return a;
    }

    /** A secret's private key is never shown (Envoy prints "[redacted]" too). */
    private static Message redacted(Message m) {
        if (!(m instanceof Secret s) || !s.hasTlsCertificate() || !s.getTlsCertificate().hasPrivateKey()) return m;
        return s.toBuilder().setTlsCertificate(s.getTlsCertificate().toBuilder()
                .setPrivateKey(DataSource.newBuilder().setInlineString("[redacted]"))).build();
    }

    private static JsonObject envoyJson(Message m) {
        try {
            return JsonParser.parseString(PRINTER.print(m)).getAsJsonObject();
        } catch (InvalidProtocolBufferException e) {
            JsonObject o = new JsonObject();
            o.addProperty("unprintable", e.getMessage());
            return o;
        }
    }
}
