package example.abtest;

import java.util.List;
import java.util.Locale;
import yastack.api.ConfiguredHttpFilter;
import yastack.api.FilterResult;
import yastack.api.HttpFilter;
import yastack.api.HttpFilterFactory;
import yastack.api.HttpRequestHead;
import yastack.api.HttpResponseHead;
import yastack.api.HttpStream;
import yastack.api.PluginConfig;
import yastack.api.PluginConfigException;
import yastack.api.PluginContext;
import yastack.api.PluginStats;

/**
 * {@code ab-cookie}: puts each client in variant {@code a} or {@code b} and keeps
 * it there with a cookie. The variant goes upstream in a request header (the
 * {@code ab-router} routes on it); new clients get a {@code set-cookie}.
 *
 * <pre>
 * config: {cookie: ab, header: x-variant, percent_b: 20, max_age: 86400}
 * </pre>
 */
public final class AbCookieFilterFactory implements HttpFilterFactory {
    @Override
    public String name() {
        return "ab-cookie";
    }

    @Override
    public String description() {
        return "example: assigns an A/B variant cookie and passes it upstream as a header";
    }

    record Settings(String cookie, String header, int percentB, long maxAge) {}

    static Settings settings(PluginConfig c) throws PluginConfigException {
        c.requireOnly("cookie", "header", "percent_b", "max_age");
        long percent = c.integer("percent_b", 50);
        if (percent < 0 || percent > 100) throw new PluginConfigException(c.path("percent_b") + ": must be in 0..100");
        String cookie = c.string("cookie", "ab");
        if (!cookie.matches("[A-Za-z0-9_-]+")) throw new PluginConfigException(c.path("cookie") + ": not a valid cookie name");
        return new Settings(cookie, c.string("header", "x-variant").toLowerCase(Locale.ROOT), (int) percent,
                c.integer("max_age", 86_400));
    }

    @Override
    public void validate(PluginConfig config) throws PluginConfigException {
        settings(config);
    }

    @Override
    public ConfiguredHttpFilter create(PluginConfig config, PluginContext context) throws PluginConfigException {
        Settings s = settings(config);
        PluginStats.Counter assignedA = context.stats().counter("assigned_a");
        PluginStats.Counter assignedB = context.stats().counter("assigned_b");
        return stream -> new HttpFilter() {
            private String newVariant;

            @Override
            public FilterResult onRequestHeaders(HttpStream st, HttpRequestHead request) {
                String variant = cookieValue(request.headers().getAll("cookie"), s.cookie());
                if (!"a".equals(variant) && !"b".equals(variant)) {
                    // Same client address, same variant: a client whose cookie got lost keeps its side.
                    String who = st.downstreamRemoteAddress().getAddress().getHostAddress();
                    variant = Math.floorMod(who.hashCode() * 0x9E3779B9, 100) < s.percentB() ? "b" : "a";
                    newVariant = variant;
                    (variant.equals("b") ? assignedB : assignedA).inc();
                }
                request.headers().set(s.header(), variant);
                return FilterResult.proceed();
            }

            @Override
            public FilterResult onResponseHeaders(HttpStream st, HttpResponseHead response) {
                if (newVariant != null) {
                    response.headers().add("set-cookie", s.cookie() + "=" + newVariant + "; Path=/; Max-Age=" + s.maxAge() + "; SameSite=Lax");
                }
                return FilterResult.proceed();
            }
        };
    }

    /** The value of cookie {@code name} in any of the {@code cookie} headers, or {@code null}. */
    static String cookieValue(List<String> cookieHeaders, String name) {
        for (String header : cookieHeaders) {
            for (String pair : header.split(";")) {
                int eq = pair.indexOf('=');
                if (eq > 0 && pair.substring(0, eq).trim().equals(name)) return pair.substring(eq + 1).trim();
            }
        }
        return null;
    }
}
