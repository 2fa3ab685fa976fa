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
    private final Map<String, List<CompiledRoute>> exact = new HashMap<>();
    private final List<Map.Entry<String, List<CompiledRoute>>> suffixes = new ArrayList<>();
    private final List<Map.Entry<String, List<CompiledRoute>>> prefixes = new ArrayList<>();
    private List<CompiledRoute> fallback;

    RouteTable(RouteConfig config) {
        for (VirtualHost vh : config.getVirtualHostsList()) {
            List<CompiledRoute> routes = vh.getRoutesList().stream().map(r -> new CompiledRoute(vh, r)).toList();
            for (String domain : vh.getDomainsList()) {
                String d = domain.toLowerCase(Locale.ROOT);
                if (d.equals("*")) fallback = routes;
                else if (d.startsWith("*")) suffixes.add(Map.entry(d.substring(1), routes));
                else if (d.endsWith("*")) prefixes.add(Map.entry(d.substring(0, d.length() - 1), routes));
                else exact.put(d, routes);
            }
        }
        Comparator<Map.Entry<String, List<CompiledRoute>>> longestFirst = Comparator.comparingInt(e -> -e.getKey().length());
        suffixes.sort(longestFirst);
        prefixes.sort(longestFirst);
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
        List<CompiledRoute> routes = hostFor(request.host());
        if (routes == null) return null;
        for (CompiledRoute r : routes) if (r.matches(request)) return r;
        return null;
    }

    private List<CompiledRoute> hostFor(String authority) {
        List<CompiledRoute> h = exact.get(authority);
        if (h != null) return h;
        for (Map.Entry<String, List<CompiledRoute>> e : suffixes) {
            if (authority.endsWith(e.getKey()) && authority.length() > e.getKey().length()) return e.getValue();
        }
        for (Map.Entry<String, List<CompiledRoute>> e : prefixes) {
            if (authority.startsWith(e.getKey()) && authority.length() > e.getKey().length()) return e.getValue();
        }
        return fallback;
    }
}
