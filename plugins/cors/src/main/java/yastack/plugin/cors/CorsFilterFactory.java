package yastack.plugin.cors;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import yastack.api.ConfiguredHttpFilter;
import yastack.api.FilterResult;
import yastack.api.HttpFilter;
import yastack.api.HttpFilterFactory;
import yastack.api.HttpRequestHead;
import yastack.api.HttpResponseHead;
import yastack.api.HttpStream;
import yastack.api.LocalReply;
import yastack.api.PluginConfig;
import yastack.api.PluginConfigException;
import yastack.api.PluginContext;
import yastack.api.PluginStats;

/**
 * {@code cors}: answers CORS preflight requests itself and adds the CORS
 * response headers to actual cross-origin requests whose origin is allowed.
 *
 * <pre>
 * config:
 *   allow_origins: ["https://app.example.com", "https://*.example.org"]   # or ["*"]
 *   allow_methods: [GET, POST, PUT]          # default GET, HEAD, POST
 *   allow_headers: [content-type, authorization]
 *   expose_headers: [x-request-id]
 *   max_age: 10m
 *   allow_credentials: false
 * </pre>
 *
 * A preflight from a disallowed origin gets 403; an actual request from a
 * disallowed origin goes upstream without CORS headers (the browser blocks it).
 */
public final class CorsFilterFactory implements HttpFilterFactory {
    @Override
    public String name() {
        return "cors";
    }

    @Override
    public String description() {
        return "CORS preflight replies and response headers";
    }

    record Policy(boolean anyOrigin, List<Pattern> origins, String methods, String headers, String expose, String maxAge,
                  boolean credentials) {
        boolean allows(String origin) {
            if (anyOrigin) return true;
            for (Pattern p : origins) if (p.matcher(origin).matches()) return true;
            return false;
        }

        /** The {@code access-control-allow-origin} value: {@code *} only when any origin and no credentials. */
        String allowOrigin(String origin) {
            return anyOrigin && !credentials ? "*" : origin;
        }
    }

    static Policy policy(PluginConfig c) throws PluginConfigException {
        c.requireOnly("allow_origins", "allow_methods", "allow_headers", "expose_headers", "max_age", "allow_credentials");
        List<String> origins = c.strings("allow_origins");
        if (origins.isEmpty()) throw new PluginConfigException(c.path("allow_origins") + ": list at least one origin (or \"*\")");
        boolean any = false;
        List<Pattern> patterns = new ArrayList<>();
        for (String o : origins) {
            if (o.equals("*")) {
                any = true;
                continue;
            }
            // "*" inside an origin matches one or more DNS labels (e.g. https://*.example.org).
            StringBuilder re = new StringBuilder();
            for (String part : o.toLowerCase(Locale.ROOT).split("\\*", -1)) {
                if (!re.isEmpty()) re.append("[a-z0-9.-]+");
                re.append(Pattern.quote(part));
            }
            patterns.add(Pattern.compile(re.toString(), Pattern.CASE_INSENSITIVE));
        }
        List<String> methods = c.strings("allow_methods");
        Duration maxAge = c.duration("max_age", null);
        return new Policy(any, List.copyOf(patterns),
                String.join(", ", methods.isEmpty() ? List.of("GET", "HEAD", "POST") : methods),
                String.join(", ", c.strings("allow_headers")),
                String.join(", ", c.strings("expose_headers")),
                maxAge == null ? "" : Long.toString(maxAge.toSeconds()),
                c.bool("allow_credentials", false));
    }

    @Override
    public void validate(PluginConfig config) throws PluginConfigException {
        policy(config);
    }

    @Override
    public ConfiguredHttpFilter create(PluginConfig config, PluginContext context) throws PluginConfigException {
        Policy p = policy(config);
        PluginStats.Counter preflights = context.stats().counter("preflight");
        PluginStats.Counter denied = context.stats().counter("denied");
        return stream -> new HttpFilter() {
            private String origin;

            @Override
            public FilterResult onRequestHeaders(HttpStream s, HttpRequestHead r) {
                String o = r.headers().get("origin");
                if (o == null) return FilterResult.proceed();
                boolean preflight = r.method().equals("OPTIONS") && r.headers().contains("access-control-request-method");
                if (!p.allows(o)) {
                    if (!preflight) return FilterResult.proceed();
                    denied.inc();
                    return FilterResult.respond(LocalReply.of(403, "CORS origin not allowed\n").withHeader("vary", "origin"));
                }
                if (!preflight) {
                    origin = o;
                    return FilterResult.proceed();
                }
                preflights.inc();
                LocalReply reply = LocalReply.of(204)
                        .withHeader("access-control-allow-origin", p.allowOrigin(o))
                        .withHeader("access-control-allow-methods", p.methods())
                        .withHeader("vary", "origin");
                String reqHeaders = r.headers().get("access-control-request-headers");
                if (!p.headers().isEmpty()) {
                    reply = reply.withHeader("access-control-allow-headers", p.headers());
                } else if (reqHeaders != null) {
                    reply = reply.withHeader("access-control-allow-headers", reqHeaders);
                }
                if (!p.maxAge().isEmpty()) reply = reply.withHeader("access-control-max-age", p.maxAge());
                if (p.credentials()) reply = reply.withHeader("access-control-allow-credentials", "true");
                return FilterResult.respond(reply);
            }

            @Override
            public FilterResult onResponseHeaders(HttpStream s, HttpResponseHead r) {
                if (origin == null) return FilterResult.proceed();
                r.headers().set("access-control-allow-origin", p.allowOrigin(origin));
                if (p.credentials()) r.headers().set("access-control-allow-credentials", "true");
                if (!p.expose().isEmpty()) r.headers().set("access-control-expose-headers", p.expose());
                r.headers().add("vary", "origin");
                return FilterResult.proceed();
            }
        };
    }
}
