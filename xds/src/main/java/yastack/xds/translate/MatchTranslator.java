package yastack.xds.translate;

import static yastack.xds.translate.Fields.child;
import static yastack.xds.translate.Fields.only;

import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.QueryParameterMatcher;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import yastack.api.config.RouteMatch.Builder;

/** Envoy's route matchers (path, headers, query parameters) as our route table's. */
final class MatchTranslator {
    private MatchTranslator() {}

    static yastack.api.config.RouteMatch match(RouteMatch m, String path) throws Rejection {
        only(m, path, "prefix", "path", "safe_regex", "case_sensitive", "headers", "query_parameters");
        Builder out = yastack.api.config.RouteMatch.newBuilder();
        switch (m.getPathSpecifierCase()) {
            case PREFIX -> out.setPrefix(m.getPrefix());
            case PATH -> out.setPath(m.getPath());
            case SAFE_REGEX -> out.setRegex(regex(m.getSafeRegex(), child(path, "safe_regex")));
            default -> throw new Rejection(path, "needs prefix, path or safe_regex");
        }
        if (m.hasCaseSensitive()) out.setCaseInsensitive(!m.getCaseSensitive().getValue());
        for (int i = 0; i < m.getHeadersCount(); i++) {
            HeaderMatcher h = m.getHeaders(i);
            String p = Fields.element(path, "headers", i);
            // Envoy matches the method as the :method pseudo-header.
            if (h.getName().equals(":method") && !h.getInvertMatch()) {
                String method = exactValue(h, p);
                if (method != null) {
                    out.addMethods(method);
                    continue;
                }
            }
            out.addHeaders(header(h, p));
        }
        for (int i = 0; i < m.getQueryParametersCount(); i++) {
            out.addQueryParameters(query(m.getQueryParameters(i), Fields.element(path, "query_parameters", i)));
        }
        return out.build();
    }

    @SuppressWarnings("deprecation")
    private static String exactValue(HeaderMatcher h, String path) throws Rejection {
        if (h.getHeaderMatchSpecifierCase() == HeaderMatcher.HeaderMatchSpecifierCase.EXACT_MATCH) return h.getExactMatch();
        if (h.getHeaderMatchSpecifierCase() == HeaderMatcher.HeaderMatchSpecifierCase.STRING_MATCH
                && h.getStringMatch().getMatchPatternCase() == StringMatcher.MatchPatternCase.EXACT
                && !h.getStringMatch().getIgnoreCase()) {
            return h.getStringMatch().getExact();
        }
        return null;
    }

    @SuppressWarnings("deprecation") // the *_match fields: deprecated in v3, still what many control planes send
    private static yastack.api.config.HeaderMatcher header(HeaderMatcher h, String path) throws Rejection {
        only(h, path, "name", "exact_match", "safe_regex_match", "present_match", "prefix_match", "suffix_match",
                "contains_match", "string_match", "invert_match");
        var out = yastack.api.config.HeaderMatcher.newBuilder().setName(h.getName()).setInvert(h.getInvertMatch());
        switch (h.getHeaderMatchSpecifierCase()) {
            case EXACT_MATCH -> out.setExact(h.getExactMatch());
            case SAFE_REGEX_MATCH -> out.setRegex(regex(h.getSafeRegexMatch(), child(path, "safe_regex_match")));
            case PRESENT_MATCH -> out.setPresent(h.getPresentMatch());
            case PREFIX_MATCH -> out.setPrefix(h.getPrefixMatch());
            case SUFFIX_MATCH -> out.setSuffix(h.getSuffixMatch());
            case CONTAINS_MATCH -> out.setContains(h.getContainsMatch());
            case STRING_MATCH -> {
                StringMatcher s = h.getStringMatch();
                String p = child(path, "string_match");
                only(s, p, "exact", "prefix", "suffix", "contains", "safe_regex");
                switch (s.getMatchPatternCase()) {
                    case EXACT -> out.setExact(s.getExact());
                    case PREFIX -> out.setPrefix(s.getPrefix());
                    case SUFFIX -> out.setSuffix(s.getSuffix());
                    case CONTAINS -> out.setContains(s.getContains());
                    case SAFE_REGEX -> out.setRegex(regex(s.getSafeRegex(), child(p, "safe_regex")));
                    default -> throw new Rejection(p, "needs exact, prefix, suffix, contains or safe_regex");
                }
            }
            // Envoy: no specifier means the header must be present.
            default -> out.setPresent(true);
        }
        return out.build();
    }

    private static yastack.api.config.QueryParameterMatcher query(QueryParameterMatcher q, String path) throws Rejection {
        only(q, path, "name", "string_match", "present_match");
        var out = yastack.api.config.QueryParameterMatcher.newBuilder().setName(q.getName());
        if (q.hasStringMatch()) {
            StringMatcher s = q.getStringMatch();
            String p = child(path, "string_match");
            only(s, p, "exact", "prefix", "safe_regex");
            switch (s.getMatchPatternCase()) {
                case EXACT -> out.setExact(s.getExact());
                case PREFIX -> out.setPrefix(s.getPrefix());
                case SAFE_REGEX -> out.setRegex(regex(s.getSafeRegex(), child(p, "safe_regex")));
                default -> throw new Rejection(p, "needs exact, prefix or safe_regex");
            }
        } else {
            out.setPresent(true);
        }
        return out.build();
    }

    /** RE2 syntax, which Java's regex engine reads the same for what routes use. */
    private static String regex(RegexMatcher r, String path) throws Rejection {
        only(r, path, "regex", "google_re2");
        return r.getRegex();
    }
}
