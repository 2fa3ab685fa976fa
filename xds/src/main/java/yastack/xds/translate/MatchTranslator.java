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

    /**
     * What an Envoy string or header matcher asks: {@code kind} is exact, prefix, suffix,
     * contains, regex or present ({@code value} "true"/"false"); shared by routes and RBAC.
     */
    record Matched(String kind, String value, boolean ignoreCase) {}

    @SuppressWarnings("deprecation") // the *_match fields: deprecated in v3, still what many control planes send
    static Matched headerMatch(HeaderMatcher h, String path) throws Rejection {
        only(h, path, "name", "exact_match", "safe_regex_match", "present_match", "prefix_match", "suffix_match",
                "contains_match", "string_match", "invert_match");
        return switch (h.getHeaderMatchSpecifierCase()) {
            case EXACT_MATCH -> new Matched("exact", h.getExactMatch(), false);
            case SAFE_REGEX_MATCH -> new Matched("regex", regex(h.getSafeRegexMatch(), child(path, "safe_regex_match")), false);
            case PRESENT_MATCH -> new Matched("present", Boolean.toString(h.getPresentMatch()), false);
            case PREFIX_MATCH -> new Matched("prefix", h.getPrefixMatch(), false);
            case SUFFIX_MATCH -> new Matched("suffix", h.getSuffixMatch(), false);
            case CONTAINS_MATCH -> new Matched("contains", h.getContainsMatch(), false);
            case STRING_MATCH -> stringMatch(h.getStringMatch(), child(path, "string_match"));
            // Envoy: no specifier means the header must be present.
            default -> new Matched("present", "true", false);
        };
    }

    static Matched stringMatch(StringMatcher s, String path) throws Rejection {
        only(s, path, "exact", "prefix", "suffix", "contains", "safe_regex", "ignore_case");
        String value = switch (s.getMatchPatternCase()) {
            case EXACT -> s.getExact();
            case PREFIX -> s.getPrefix();
            case SUFFIX -> s.getSuffix();
            case CONTAINS -> s.getContains();
            case SAFE_REGEX -> regex(s.getSafeRegex(), child(path, "safe_regex"));
            default -> throw new Rejection(path, "needs exact, prefix, suffix, contains or safe_regex");
        };
        String kind = s.getMatchPatternCase() == StringMatcher.MatchPatternCase.SAFE_REGEX ? "regex"
                : s.getMatchPatternCase().name().toLowerCase(java.util.Locale.ROOT);
        return new Matched(kind, value, s.getIgnoreCase());
    }

    private static yastack.api.config.HeaderMatcher header(HeaderMatcher h, String path) throws Rejection {
        Matched m = headerMatch(h, path);
        // Route header matchers compare case-sensitively, as Envoy's do without ignore_case.
        if (m.ignoreCase()) throw new Rejection(child(path, "string_match.ignore_case"), "not supported");
        var out = yastack.api.config.HeaderMatcher.newBuilder().setName(h.getName()).setInvert(h.getInvertMatch());
        switch (m.kind()) {
            case "exact" -> out.setExact(m.value());
            case "prefix" -> out.setPrefix(m.value());
            case "suffix" -> out.setSuffix(m.value());
            case "contains" -> out.setContains(m.value());
            case "regex" -> out.setRegex(m.value());
            default -> out.setPresent(Boolean.parseBoolean(m.value()));
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
