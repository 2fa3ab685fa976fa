package yastack.plugin.router;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import yastack.api.HttpRequestHead;
import yastack.api.HttpStream;
import yastack.api.RouteDecision;
import yastack.api.config.HeaderMatcher;
import yastack.api.config.QueryParameterMatcher;
import yastack.api.config.Route;
import yastack.api.config.VirtualHost;

/** One route: what it matches (path, method, headers, query parameters) and what it decides. */
final class CompiledRoute {
    private final String name;
    private final String prefix;
    private final String path;
    private final Pattern regex;
    private final boolean caseInsensitive;
    /** Arrays, so that matching a request makes no iterator. */
    private final Map.Entry<String, StringMatch>[] headers;
    private final Map.Entry<String, StringMatch>[] query;
    private final String[] methods;
    private final Action action;

    CompiledRoute(VirtualHost vh, Route r) {
        var m = r.getMatch();
        name = r.getName();
        caseInsensitive = m.getCaseInsensitive();
        regex = m.getRegex().isEmpty() ? null : Pattern.compile(m.getRegex(), caseInsensitive ? Pattern.CASE_INSENSITIVE : 0);
        path = m.getPath().isEmpty() ? null : m.getPath();
        prefix = (regex == null && path == null) ? (m.getPrefix().isEmpty() ? "/" : m.getPrefix()) : null;
        List<Map.Entry<String, StringMatch>> headers = new ArrayList<>();
        for (HeaderMatcher h : m.getHeadersList()) {
            headers.add(Map.entry(h.getName(), StringMatch.of(h.getExact(), h.getPrefix(), h.getSuffix(), h.getContains(),
                    h.getRegex(), h.getInvert())));
        }
        List<Map.Entry<String, StringMatch>> query = new ArrayList<>();
        for (QueryParameterMatcher q : m.getQueryParametersList()) {
            query.add(Map.entry(q.getName(), StringMatch.of(q.getExact(), q.getPrefix(), "", "", q.getRegex(), false)));
        }
        this.headers = entries(headers);
        this.query = entries(query);
        methods = m.getMethodsList().stream().map(s -> s.toUpperCase(Locale.ROOT)).toArray(String[]::new);
        action = Action.compile(vh, r, prefix);
    }

    String name() {
        return name;
    }

    RouteDecision decide(HttpStream stream, HttpRequestHead request) {
        return action.decide(stream, request);
    }

    boolean matches(HttpRequestHead req) {
        String p = req.path();
        if (prefix != null) {
            if (!p.regionMatches(caseInsensitive, 0, prefix, 0, prefix.length())) return false;
        } else if (path != null) {
            if (caseInsensitive ? !p.equalsIgnoreCase(path) : !p.equals(path)) return false;
        } else if (!regex.matcher(p).matches()) {
            return false;
        }
        if (methods.length > 0 && !hasMethod(req.method())) return false;
        for (Map.Entry<String, StringMatch> h : headers) {
            if (!matchesHeader(req, h.getKey(), h.getValue())) return false;
        }
        for (Map.Entry<String, StringMatch> q : query) {
            if (!q.getValue().matches(req.queryParameter(q.getKey()))) return false;
        }
        return true;
    }

    private boolean hasMethod(String method) {
        for (String m : methods) if (m.equals(method)) return true;
        return false;
    }

    @SuppressWarnings("unchecked")
    private static Map.Entry<String, StringMatch>[] entries(List<Map.Entry<String, StringMatch>> list) {
        return list.toArray(new Map.Entry[0]);
    }

    private static boolean matchesHeader(HttpRequestHead req, String name, StringMatch match) {
        List<String> values = req.headers().getAll(name);
        if (values.isEmpty()) return match.matches(null);
        // Envoy joins repeated headers with ',' before matching; so do we.
        return match.matches(values.size() == 1 ? values.getFirst() : String.join(",", values));
    }
}
