package yastack.plugin.router;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import yastack.api.HttpRequestHead;
import yastack.api.HttpStream;
import yastack.api.RouteDecision;
import yastack.api.Router;
import yastack.api.config.RouteConfig;
import yastack.api.config.VirtualHost;

/**
 * A route_config compiled for matching: the virtual host by authority (exact, then longest
 * {@code *.suffix}, then longest {@code prefix.*}, then {@code *}, as Envoy does), then the
 * first route that matches. Immutable and shared by every worker; every decision but a
 * redirect's is built here once, so routing a request allocates nothing.
 */
final class RouteTable implements Router {
    /** A virtual host's routes in order, by domain pattern; arrays so that matching makes no iterator. */
    private record Domain(String pattern, CompiledRoute[] routes) {}

    private final Map<String, CompiledRoute[]> exact = new HashMap<>();
    private final Domain[] suffixes;
    private final Domain[] prefixes;
    private CompiledRoute[] fallback;

    RouteTable(RouteConfig config) {
        List<Domain> suffixes = new ArrayList<>();
        List<Domain> prefixes = new ArrayList<>();
        for (VirtualHost vh : config.getVirtualHostsList()) {
            CompiledRoute[] routes = vh.getRoutesList().stream().map(r -> new CompiledRoute(vh, r)).toArray(CompiledRoute[]::new);
            for (String domain : vh.getDomainsList()) {
                String d = domain.toLowerCase(Locale.ROOT);
                if (d.equals("*")) fallback = routes;
                else if (d.startsWith("*")) suffixes.add(new Domain(d.substring(1), routes));
                else if (d.endsWith("*")) prefixes.add(new Domain(d.substring(0, d.length() - 1), routes));
                else exact.put(d, routes);
            }
        }
        Comparator<Domain> longestFirst = Comparator.comparingInt(e -> -e.pattern().length());
        this.suffixes = suffixes.stream().sorted(longestFirst).toArray(Domain[]::new);
        this.prefixes = prefixes.stream().sorted(longestFirst).toArray(Domain[]::new);
    }

    @Override
    public RouteDecision route(HttpStream stream, HttpRequestHead request) {
        CompiledRoute r = match(request);
        return r == null ? RouteDecision.noRoute() : r.decide(stream, request);
    }

    @Override
    public String peekRouteName(HttpStream stream, HttpRequestHead request) {
        CompiledRoute r = match(request);
        return r == null ? "" : r.name();
    }

    private CompiledRoute match(HttpRequestHead request) {
        CompiledRoute[] routes = hostFor(request.host());
        if (routes == null) return null;
        for (CompiledRoute r : routes) if (r.matches(request)) return r;
        return null;
    }

    private CompiledRoute[] hostFor(String authority) {
        CompiledRoute[] h = exact.get(authority);
        if (h != null) return h;
        for (Domain d : suffixes) {
            if (authority.endsWith(d.pattern()) && authority.length() > d.pattern().length()) return d.routes();
        }
        for (Domain d : prefixes) {
            if (authority.startsWith(d.pattern()) && authority.length() > d.pattern().length()) return d.routes();
        }
        return fallback;
    }
}
