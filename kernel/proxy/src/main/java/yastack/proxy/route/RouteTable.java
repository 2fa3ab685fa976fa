package yastack.proxy.route;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import yastack.api.config.HeaderMatcher;
import yastack.api.config.HeaderValue;
import yastack.api.config.QueryParameterMatcher;
import yastack.api.config.Route;
import yastack.api.config.RouteConfig;
import yastack.api.config.VirtualHost;

/**
 * A listener's static route_config compiled for matching: virtual hosts picked by
 * authority (exact, then longest {@code *.suffix}, then longest {@code prefix.*}, then
 * {@code *}, as Envoy does), then the first route whose path, headers, query parameters
 * and method all match. Immutable and shared by every worker.
 */
public final class RouteTable {
    private final Map<String, CompiledHost> exact = new HashMap<>();
    private final List<Map.Entry<String, CompiledHost>> suffixes = new ArrayList<>();
    private final List<Map.Entry<String, CompiledHost>> prefixes = new ArrayList<>();
    private CompiledHost fallback;

    public RouteTable(RouteConfig config) {
        for (VirtualHost vh : config.getVirtualHostsList()) {
            CompiledHost host = new CompiledHost(vh);
            for (String domain : vh.getDomainsList()) {
                String d = domain.toLowerCase(Locale.ROOT);
                if (d.equals("*")) fallback = host;
                else if (d.startsWith("*")) suffixes.add(Map.entry(d.substring(1), host));
                else if (d.endsWith("*")) prefixes.add(Map.entry(d.substring(0, d.length() - 1), host));
                else exact.put(d, host);
            }
        }
        Comparator<Map.Entry<String, CompiledHost>> longestFirst = Comparator.comparingInt(e -> -e.getKey().length());
        suffixes.sort(longestFirst);
        prefixes.sort(longestFirst);
    }

    /** The matched route's target, or null when no virtual host or route matches (404). */
    public RouteTarget match(RequestView request) {
        CompiledHost host = hostFor(request.host());
        return host == null ? null : host.match(request);
    }

    private CompiledHost hostFor(String authority) {
        CompiledHost h = exact.get(authority);
        if (h != null) return h;
        for (Map.Entry<String, CompiledHost> e : suffixes) {
            if (authority.endsWith(e.getKey()) && authority.length() > e.getKey().length()) return e.getValue();
        }
        for (Map.Entry<String, CompiledHost> e : prefixes) {
            if (authority.startsWith(e.getKey()) && authority.length() > e.getKey().length()) return e.getValue();
        }
        return fallback;
    }

    private static final class CompiledHost {
        private final List<CompiledRoute> routes = new ArrayList<>();

        CompiledHost(VirtualHost vh) {
            for (Route r : vh.getRoutesList()) routes.add(new CompiledRoute(vh, r));
        }

        RouteTarget match(RequestView request) {
            for (CompiledRoute r : routes) {
                if (r.matches(request)) return r.target;
            }
            return null;
        }
    }

    private static final class CompiledRoute {
        private final String prefix;
        private final String path;
        private final Pattern regex;
        private final boolean caseInsensitive;
        private final List<Map.Entry<String, StringMatch>> headers = new ArrayList<>();
        private final List<Map.Entry<String, StringMatch>> query = new ArrayList<>();
        private final List<String> methods;
        private final RouteTarget target;

        CompiledRoute(VirtualHost vh, Route r) {
            var m = r.getMatch();
            caseInsensitive = m.getCaseInsensitive();
            regex = m.getRegex().isEmpty() ? null
                    : Pattern.compile(m.getRegex(), caseInsensitive ? Pattern.CASE_INSENSITIVE : 0);
            path = m.getPath().isEmpty() ? null : m.getPath();
            prefix = (regex == null && path == null) ? (m.getPrefix().isEmpty() ? "/" : m.getPrefix()) : null;
            for (HeaderMatcher h : m.getHeadersList()) {
                headers.add(Map.entry(h.getName(), StringMatch.of(h.getExact(), h.getPrefix(), h.getSuffix(),
                        h.getContains(), h.getRegex(), h.getInvert())));
            }
            for (QueryParameterMatcher q : m.getQueryParametersList()) {
                query.add(Map.entry(q.getName(), StringMatch.of(q.getExact(), q.getPrefix(), "", "", q.getRegex(), false)));
            }
            methods = m.getMethodsList().stream().map(s -> s.toUpperCase(Locale.ROOT)).toList();
            target = RouteTargets.compile(r, edits(vh, r), prefix);
        }

        private static RouteTarget.HeaderEdits edits(VirtualHost vh, Route r) {
            List<HeaderValue> reqAdd = new ArrayList<>(r.getRequestHeadersToAddList());
            reqAdd.addAll(vh.getRequestHeadersToAddList());
            List<String> reqRemove = new ArrayList<>(r.getRequestHeadersToRemoveList());
            reqRemove.addAll(vh.getRequestHeadersToRemoveList());
            List<HeaderValue> respAdd = new ArrayList<>(r.getResponseHeadersToAddList());
            respAdd.addAll(vh.getResponseHeadersToAddList());
            List<String> respRemove = new ArrayList<>(r.getResponseHeadersToRemoveList());
            respRemove.addAll(vh.getResponseHeadersToRemoveList());
            var e = new RouteTarget.HeaderEdits(List.copyOf(reqAdd), List.copyOf(reqRemove), List.copyOf(respAdd), List.copyOf(respRemove));
            return e.isEmpty() ? RouteTarget.HeaderEdits.NONE : e;
        }

        boolean matches(RequestView req) {
            String p = req.path();
            if (prefix != null) {
                if (!p.regionMatches(caseInsensitive, 0, prefix, 0, prefix.length())) return false;
            } else if (path != null) {
                if (caseInsensitive ? !p.equalsIgnoreCase(path) : !p.equals(path)) return false;
            } else if (!regex.matcher(p).matches()) {
                return false;
            }
            if (!methods.isEmpty() && !methods.contains(req.method())) return false;
            for (Map.Entry<String, StringMatch> h : headers) {
                if (!matchesAnyHeader(req, h.getKey(), h.getValue())) return false;
            }
            if (!query.isEmpty()) {
                Map<String, String> params = QueryString.parse(req.query());
                for (Map.Entry<String, StringMatch> q : query) {
                    if (!q.getValue().matches(params.get(q.getKey()))) return false;
                }
            }
            return true;
        }

        private static boolean matchesAnyHeader(RequestView req, String name, StringMatch match) {
            List<String> values = req.headers(name);
            if (values.isEmpty()) return match.matches(null);
            // Envoy joins repeated headers with ',' before matching; so do we.
            return match.matches(values.size() == 1 ? values.getFirst() : String.join(",", values));
        }
    }
}
