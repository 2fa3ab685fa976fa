package yastack.xds.translate;

import static yastack.xds.translate.Fields.child;
import static yastack.xds.translate.Fields.element;
import static yastack.xds.translate.Fields.only;
import static yastack.xds.translate.PluginValues.flag;
import static yastack.xds.translate.PluginValues.list;
import static yastack.xds.translate.PluginValues.number;
import static yastack.xds.translate.PluginValues.pair;
import static yastack.xds.translate.PluginValues.struct;
import static yastack.xds.translate.PluginValues.text;
import static yastack.xds.translate.PluginValues.texts;

import com.google.protobuf.Any;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.Durations;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtProvider;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtRequirement;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.RequirementRule;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Envoy's {@code envoy.filters.http.jwt_authn} as the config of our {@code jwt_authn} plugin:
 * providers (issuer, audiences, a remote JWKS's cluster, path, timeout and cache duration, or a
 * local one inline or in a file; where tokens are, what is forwarded, claims to headers, clock
 * skew) and rules matching a path prefix or a path with a provider, any of several providers
 * (optionally allowing a missing token), or nothing. Anything else is refused with its field.
 */
final class JwtAuthnTranslator {
    static final String TYPE = "type.googleapis.com/envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication";

    private JwtAuthnTranslator() {}

    static Struct translate(Any any, String path) throws Rejection {
        JwtAuthentication ja = ListenerTranslator.unpack(any, JwtAuthentication.class, path);
        only(ja, path, "providers", "rules", "stat_prefix");
        Struct.Builder providers = Struct.newBuilder();
        for (Map.Entry<String, JwtProvider> e : ja.getProvidersMap().entrySet()) {
            providers.putFields(e.getKey(), struct(provider(e.getValue(), child(path, "providers." + e.getKey()))));
        }
        List<Value> rules = new ArrayList<>();
        List<String> all = List.copyOf(ja.getProvidersMap().keySet());
        for (int i = 0; i < ja.getRulesCount(); i++) rules.add(struct(rule(ja.getRules(i), all, element(path, "rules", i))));
        return Struct.newBuilder().putFields("providers", struct(providers.build())).putFields("rules", list(rules)).build();
    }

    private static Struct provider(JwtProvider p, String path) throws Rejection {
        only(p, path, "issuer", "audiences", "remote_jwks", "local_jwks", "forward", "from_headers", "from_params",
                "forward_payload_header", "clock_skew_seconds", "claim_to_headers");
        Struct.Builder out = Struct.newBuilder();
        if (!p.getIssuer().isEmpty()) out.putFields("issuer", text(p.getIssuer()));
        if (p.getAudiencesCount() > 0) out.putFields("audiences", texts(p.getAudiencesList()));
        if (p.hasRemoteJwks()) {
            var r = p.getRemoteJwks();
            String rp = child(path, "remote_jwks");
            only(r, rp, "http_uri", "cache_duration");
            only(r.getHttpUri(), child(rp, "http_uri"), "uri", "cluster", "timeout");
            if (r.getHttpUri().getCluster().isEmpty()) throw new Rejection(child(rp, "http_uri.cluster"), "names the JWKS endpoint's cluster");
            String target;
            try {
                URI uri = URI.create(r.getHttpUri().getUri());
                target = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                        + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
            } catch (IllegalArgumentException e) {
                throw new Rejection(child(rp, "http_uri.uri"), "not a URI: " + e.getMessage());
            }
            Struct.Builder remote = Struct.newBuilder().putFields("cluster", text(r.getHttpUri().getCluster())).putFields("path", text(target));
            if (r.getHttpUri().hasTimeout()) remote.putFields("timeout", text(Durations.toMillis(r.getHttpUri().getTimeout()) + "ms"));
            if (r.hasCacheDuration()) remote.putFields("cache_duration", text(Durations.toMillis(r.getCacheDuration()) + "ms"));
            out.putFields("remote_jwks", struct(remote.build()));
        } else if (p.hasLocalJwks()) {
            var l = p.getLocalJwks();
            String lp = child(path, "local_jwks");
            only(l, lp, "inline_string", "inline_bytes", "filename");
            Struct.Builder local = Struct.newBuilder();
            switch (l.getSpecifierCase()) {
                case INLINE_STRING -> local.putFields("inline_string", text(l.getInlineString()));
                case INLINE_BYTES -> local.putFields("inline_string", text(l.getInlineBytes().toStringUtf8()));
                case FILENAME -> local.putFields("filename", text(l.getFilename()));
                default -> throw new Rejection(lp, "give inline_string, inline_bytes or filename");
            }
            out.putFields("local_jwks", struct(local.build()));
        }
        if (p.getForward()) out.putFields("forward", flag(true));
        if (p.getFromHeadersCount() > 0) {
            out.putFields("from_headers", list(p.getFromHeadersList().stream()
                    .map(h -> pair("name", h.getName(), "value_prefix", h.getValuePrefix())).toList()));
        }
        if (p.getFromParamsCount() > 0) out.putFields("from_params", texts(p.getFromParamsList()));
        if (!p.getForwardPayloadHeader().isEmpty()) out.putFields("forward_payload_header", text(p.getForwardPayloadHeader()));
        // Envoy reads 0 (unset) as its default of 60 s, which is ours too.
        if (p.getClockSkewSeconds() != 0) out.putFields("clock_skew_seconds", number(p.getClockSkewSeconds()));
        if (p.getClaimToHeadersCount() > 0) {
            out.putFields("claim_to_headers", list(p.getClaimToHeadersList().stream()
                    .map(c -> pair("header_name", c.getHeaderName(), "claim_name", c.getClaimName())).toList()));
        }
        return out.build();
    }

    /** {@code providers}: every provider's name, which a bare allow_missing[_or_failed] means (Envoy picks by issuer). */
    private static Struct rule(RequirementRule r, List<String> providers, String path) throws Rejection {
        only(r, path, "match", "requires");
        var m = r.getMatch();
        String mp = child(path, "match");
        only(m, mp, "prefix", "path");
        Struct.Builder match = Struct.newBuilder();
        switch (m.getPathSpecifierCase()) {
            case PREFIX -> match.putFields("prefix", text(m.getPrefix()));
            case PATH -> match.putFields("path", text(m.getPath()));
            default -> throw new Rejection(mp, "give prefix or path");
        }
        Struct.Builder out = Struct.newBuilder().putFields("match", struct(match.build()));
        if (!r.hasRequires()) return out.build();
        JwtRequirement q = r.getRequires();
        String qp = child(path, "requires");
        switch (q.getRequiresTypeCase()) {
            case PROVIDER_NAME -> out.putFields("requires", text(q.getProviderName()));
            case ALLOW_MISSING -> out.putFields("requires_any", texts(providers)).putFields("allow_missing", flag(true));
            case ALLOW_MISSING_OR_FAILED -> out.putFields("requires_any", texts(providers)).putFields("allow_missing_or_failed", flag(true));
            case REQUIRES_ANY -> {
                List<String> names = new ArrayList<>();
                String allow = null;
                for (int i = 0; i < q.getRequiresAny().getRequirementsCount(); i++) {
                    JwtRequirement one = q.getRequiresAny().getRequirements(i);
                    switch (one.getRequiresTypeCase()) {
                        case PROVIDER_NAME -> names.add(one.getProviderName());
                        case ALLOW_MISSING -> allow = allow == null ? "allow_missing" : allow;
                        case ALLOW_MISSING_OR_FAILED -> allow = "allow_missing_or_failed";
                        default -> throw new Rejection(element(child(qp, "requires_any"), "requirements", i),
                                "only provider_name, allow_missing and allow_missing_or_failed are supported in requires_any");
                    }
                }
                out.putFields("requires_any", texts(names));
                if (allow != null) out.putFields(allow, flag(true));
            }
            case REQUIRES_ALL -> {
                List<String> names = new ArrayList<>();
                for (int i = 0; i < q.getRequiresAll().getRequirementsCount(); i++) {
                    JwtRequirement one = q.getRequiresAll().getRequirements(i);
                    if (one.getRequiresTypeCase() != JwtRequirement.RequiresTypeCase.PROVIDER_NAME) {
                        throw new Rejection(element(child(qp, "requires_all"), "requirements", i),
                                "only provider_name is supported in requires_all");
                    }
                    names.add(one.getProviderName());
                }
                if (names.size() == 1) out.putFields("requires", text(names.getFirst()));
                else out.putFields("requires_all", texts(names));
            }
            default -> throw new Rejection(qp, "only provider_name, requires_any, requires_all, allow_missing and allow_missing_or_failed are supported");
        }
        return out.build();
    }

}
