package yastack.plugin.jwtauthn;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import yastack.api.HttpRequestHead;
import yastack.api.PluginConfig;
import yastack.api.PluginConfigException;
import yastack.api.PluginStats;

/**
 * One issuer of tokens (Envoy's {@code JwtProvider}): what its tokens must say, where its keys
 * come from, where a request carries its token, and what the upstream gets of it.
 */
record Provider(String name, String issuer, List<String> audiences, KeySource keys, List<TokenHeader> fromHeaders,
                List<String> fromParams, boolean forward, String payloadHeader, List<ClaimHeader> claimHeaders, long skewSeconds) {

    record TokenHeader(String name, String prefix) {}

    record ClaimHeader(String header, String claim) {}

    /** A token the request carries for this provider, and where it came from. */
    record Found(String token, TokenHeader header) {}

    static Provider of(String name, PluginConfig c, PluginStats stats) throws PluginConfigException {
        c.requireOnly("issuer", "audiences", "local_jwks", "remote_jwks", "from_headers", "from_params", "forward",
                "forward_payload_header", "claim_to_headers", "clock_skew_seconds");
        String issuer = c.string("issuer", "");
        KeySource keys;
        if (c.has("local_jwks") == c.has("remote_jwks")) {
            throw new PluginConfigException(c.path() + ": give one of local_jwks and remote_jwks");
        }
        if (c.has("local_jwks")) {
            PluginConfig l = c.object("local_jwks").requireOnly("inline_string", "filename");
            String json;
            if (l.has("inline_string") == l.has("filename")) throw new PluginConfigException(l.path() + ": give one of inline_string and filename");
            if (l.has("filename")) {
                try {
                    json = Files.readString(Path.of(l.requireString("filename")));
                } catch (IOException e) {
                    throw new PluginConfigException(l.path("filename") + ": cannot read: " + e.getMessage());
                }
            } else {
                json = l.requireString("inline_string");
            }
            try {
                keys = new KeySource.Local(Jwks.parse(json));
            } catch (IllegalArgumentException e) {
                throw new PluginConfigException(l.path() + ": " + e.getMessage());
            }
        } else {
            PluginConfig r = c.object("remote_jwks").requireOnly("cluster", "path", "timeout", "cache_duration");
            String path = r.requireString("path");
            if (!path.startsWith("/")) throw new PluginConfigException(r.path("path") + ": starts with /, e.g. /.well-known/jwks.json");
            Duration timeout = r.duration("timeout", Duration.ofSeconds(1)), cache = r.duration("cache_duration", Duration.ofMinutes(10));
            if (timeout.isZero() || timeout.isNegative()) throw new PluginConfigException(r.path("timeout") + ": must be positive");
            if (cache.isZero() || cache.isNegative()) throw new PluginConfigException(r.path("cache_duration") + ": must be positive");
            keys = new KeySource.Remote(r.requireString("cluster"), path, timeout, cache, stats);
        }
        List<TokenHeader> headers = new ArrayList<>();
        for (PluginConfig h : c.objects("from_headers")) {
            h.requireOnly("name", "value_prefix");
            headers.add(new TokenHeader(h.requireString("name").toLowerCase(Locale.ROOT), h.string("value_prefix", "")));
        }
        List<String> params = c.strings("from_params");
        if (headers.isEmpty() && params.isEmpty()) headers.add(new TokenHeader("authorization", "Bearer "));
        List<ClaimHeader> claims = new ArrayList<>();
        for (PluginConfig h : c.objects("claim_to_headers")) {
            h.requireOnly("header_name", "claim_name");
            claims.add(new ClaimHeader(h.requireString("header_name"), h.requireString("claim_name")));
        }
        long skew = c.integer("clock_skew_seconds", 60);
        if (skew < 0) throw new PluginConfigException(c.path("clock_skew_seconds") + ": must not be negative");
        return new Provider(name, issuer.isEmpty() ? null : issuer, c.strings("audiences"), keys, List.copyOf(headers),
                List.copyOf(params), c.bool("forward", false), c.string("forward_payload_header", ""), List.copyOf(claims), skew);
    }

    /** The token in the first place it may be (headers, then query parameters), or null. */
    Found find(HttpRequestHead request) {
        for (TokenHeader h : fromHeaders) {
            String v = request.headers().get(h.name());
            if (v == null) continue;
            if (h.prefix().isEmpty()) return new Found(v.trim(), h);
            if (v.regionMatches(true, 0, h.prefix(), 0, h.prefix().length())) return new Found(v.substring(h.prefix().length()).trim(), h);
        }
        for (String p : fromParams) {
            String v = request.queryParameter(p);
            if (v != null && !v.isEmpty()) return new Found(v, null);
        }
        return null;
    }

    /** What the upstream gets once {@code jwt} verified: the token header gone unless forwarded, payload and claims as headers. */
    void apply(HttpRequestHead request, Found found, Jwt jwt) {
        if (!forward && found.header() != null) request.headers().remove(found.header().name());
        if (!payloadHeader.isEmpty()) request.headers().set(payloadHeader, jwt.payloadPart());
        for (ClaimHeader h : claimHeaders) {
            String v = jwt.claimText(h.claim());
            if (v != null) request.headers().set(h.header(), v);
        }
    }
}
