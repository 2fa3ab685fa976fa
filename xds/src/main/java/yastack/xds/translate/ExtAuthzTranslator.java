package yastack.xds.translate;

import static yastack.xds.translate.Fields.child;
import static yastack.xds.translate.Fields.element;
import static yastack.xds.translate.Fields.only;
import static yastack.xds.translate.PluginValues.flag;
import static yastack.xds.translate.PluginValues.number;
import static yastack.xds.translate.PluginValues.text;
import static yastack.xds.translate.PluginValues.texts;

import com.google.protobuf.Any;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.Durations;
import io.envoyproxy.envoy.extensions.filters.http.ext_authz.v3.ExtAuthz;
import io.envoyproxy.envoy.extensions.filters.http.ext_authz.v3.HttpService;
import io.envoyproxy.envoy.type.matcher.v3.ListStringMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.util.ArrayList;
import java.util.List;

/**
 * Envoy's {@code envoy.filters.http.ext_authz} with an HTTP service as the config of our
 * {@code ext_authz} filter plugin: the service's cluster, path prefix and timeout, the request
 * headers it gets, the answer's headers that go upstream or to the client (exact names), fail
 * open or the status on error. A gRPC service is refused.
 */
final class ExtAuthzTranslator {
    static final String TYPE = "type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthz";

    private ExtAuthzTranslator() {}

    static Struct translate(Any any, String path) throws Rejection {
        ExtAuthz ea = ListenerTranslator.unpack(any, ExtAuthz.class, path);
        if (ea.hasGrpcService()) throw new Rejection(child(path, "grpc_service"), "only http_service is supported");
        only(ea, path, "http_service", "failure_mode_allow", "status_on_error", "transport_api_version", "allowed_headers");
        if (!ea.hasHttpService()) throw new Rejection(child(path, "http_service"), "is required");
        HttpService hs = ea.getHttpService();
        String hp = child(path, "http_service");
        only(hs, hp, "server_uri", "path_prefix", "authorization_request", "authorization_response");
        var uri = hs.getServerUri();
        only(uri, child(hp, "server_uri"), "uri", "cluster", "timeout");
        if (uri.getCluster().isEmpty()) throw new Rejection(child(hp, "server_uri.cluster"), "names the authorization service's cluster");
        Struct.Builder out = Struct.newBuilder();
        out.putFields("cluster", text(uri.getCluster()));
        if (!hs.getPathPrefix().isEmpty()) out.putFields("path_prefix", text(hs.getPathPrefix()));
        if (uri.hasTimeout()) out.putFields("timeout", text(Durations.toMillis(uri.getTimeout()) + "ms"));
        ListStringMatcher allowed = ea.getAllowedHeaders();
        String allowedPath = child(path, "allowed_headers");
        if (hs.hasAuthorizationRequest()) {
            only(hs.getAuthorizationRequest(), child(hp, "authorization_request"), "allowed_headers");
            if (!ea.hasAllowedHeaders()) {
                allowed = hs.getAuthorizationRequest().getAllowedHeaders();
                allowedPath = child(hp, "authorization_request.allowed_headers");
            }
        }
        if (allowed.getPatternsCount() > 0) out.putFields("allowed_headers", names(allowed, allowedPath));
        if (hs.hasAuthorizationResponse()) {
            var r = hs.getAuthorizationResponse();
            String rp = child(hp, "authorization_response");
            only(r, rp, "allowed_upstream_headers", "allowed_client_headers");
            if (r.hasAllowedUpstreamHeaders()) {
                out.putFields("allowed_upstream_headers", names(r.getAllowedUpstreamHeaders(), child(rp, "allowed_upstream_headers")));
            }
            if (r.hasAllowedClientHeaders()) {
                out.putFields("allowed_client_headers", names(r.getAllowedClientHeaders(), child(rp, "allowed_client_headers")));
            }
        }
        if (ea.getFailureModeAllow()) out.putFields("failure_mode_allow", flag(true));
        if (ea.hasStatusOnError()) out.putFields("status_on_error", number(ea.getStatusOnError().getCodeValue()));
        return out.build();
    }

    /** Header names: exact matchers only (a prefix or a regex would need the plugin to match patterns). */
    private static Value names(ListStringMatcher m, String path) throws Rejection {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < m.getPatternsCount(); i++) {
            StringMatcher s = m.getPatterns(i);
            if (s.getMatchPatternCase() != StringMatcher.MatchPatternCase.EXACT) {
                throw new Rejection(element(path, "patterns", i), "only exact header names are supported");
            }
            names.add(s.getExact());
        }
        return texts(names);
    }
}
