package yastack.xds.translate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static yastack.xds.translate.Refusals.refused;

import com.google.protobuf.BoolValue;
import io.envoyproxy.envoy.config.core.v3.RuntimeFractionalPercent;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.QueryParameterMatcher;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.envoyproxy.envoy.type.v3.Int64Range;
import java.util.List;
import org.junit.jupiter.api.Test;

@SuppressWarnings("deprecation") // the *_match header fields: deprecated in v3, still sent
class MatchTranslatorTest {
    private static HeaderMatcher.Builder header(String name) {
        return HeaderMatcher.newBuilder().setName(name);
    }

    @Test
    void pathSpecifiersAndCase() throws Rejection {
        assertEquals("/api", MatchTranslator.match(RouteMatch.newBuilder().setPrefix("/api").build(), "m").getPrefix());
        assertEquals("/exact", MatchTranslator.match(RouteMatch.newBuilder().setPath("/exact").build(), "m").getPath());
        var regex = MatchTranslator.match(RouteMatch.newBuilder().setSafeRegex(RegexMatcher.newBuilder().setRegex("/v[0-9]+/.*"))
                .setCaseSensitive(BoolValue.of(false)).build(), "m");
        assertEquals("/v[0-9]+/.*", regex.getRegex());
        assertTrue(regex.getCaseInsensitive());
        assertFalse(MatchTranslator.match(RouteMatch.newBuilder().setPrefix("/").setCaseSensitive(BoolValue.of(true)).build(), "m")
                .getCaseInsensitive());
    }

    @Test
    void headerMatchersEachSpecifier() throws Rejection {
        RouteMatch m = RouteMatch.newBuilder().setPrefix("/")
                .addHeaders(header(":method").setStringMatch(StringMatcher.newBuilder().setExact("POST")))
                .addHeaders(header(":method").setExactMatch("PUT"))
                .addHeaders(header("x-exact").setExactMatch("1"))
                .addHeaders(header("x-regex").setSafeRegexMatch(RegexMatcher.newBuilder().setRegex("a+")))
                .addHeaders(header("x-present").setPresentMatch(true))
                .addHeaders(header("x-prefix").setPrefixMatch("p"))
                .addHeaders(header("x-suffix").setSuffixMatch("s"))
                .addHeaders(header("x-contains").setContainsMatch("c"))
                .addHeaders(header("x-sm-exact").setStringMatch(StringMatcher.newBuilder().setExact("e")))
                .addHeaders(header("x-sm-prefix").setStringMatch(StringMatcher.newBuilder().setPrefix("p2")))
                .addHeaders(header("x-sm-suffix").setStringMatch(StringMatcher.newBuilder().setSuffix("s2")))
                .addHeaders(header("x-sm-contains").setStringMatch(StringMatcher.newBuilder().setContains("c2")))
                .addHeaders(header("x-sm-regex").setStringMatch(StringMatcher.newBuilder().setSafeRegex(RegexMatcher.newBuilder().setRegex("b+"))))
                .addHeaders(header("x-inverted").setExactMatch("no").setInvertMatch(true))
                .addHeaders(header("x-bare"))
                .build();
        var out = MatchTranslator.match(m, "m");
        // Envoy matches the method as the :method pseudo-header; ours has a methods list.
        assertEquals(List.of("POST", "PUT"), out.getMethodsList());
        var h = out.getHeadersList();
        assertEquals(13, h.size());
        assertEquals("x-exact", h.get(0).getName());
        assertEquals("1", h.get(0).getExact());
        assertEquals("a+", h.get(1).getRegex());
        assertTrue(h.get(2).getPresent());
        assertEquals("p", h.get(3).getPrefix());
        assertEquals("s", h.get(4).getSuffix());
        assertEquals("c", h.get(5).getContains());
        assertEquals("e", h.get(6).getExact());
        assertEquals("p2", h.get(7).getPrefix());
        assertEquals("s2", h.get(8).getSuffix());
        assertEquals("c2", h.get(9).getContains());
        assertEquals("b+", h.get(10).getRegex());
        assertEquals("no", h.get(11).getExact());
        assertTrue(h.get(11).getInvert());
        assertTrue(h.get(12).getPresent(), "no specifier: the header must be present, as in Envoy");
        assertFalse(h.get(0).getInvert());
    }

    @Test
    void anInvertedMethodMatchStaysAHeaderMatcher() throws Rejection {
        var out = MatchTranslator.match(RouteMatch.newBuilder().setPrefix("/")
                .addHeaders(header(":method").setExactMatch("GET").setInvertMatch(true)).build(), "m");
        assertEquals(0, out.getMethodsCount());
        assertEquals(":method", out.getHeaders(0).getName());
        assertTrue(out.getHeaders(0).getInvert());
    }

    @Test
    void queryParameterMatchers() throws Rejection {
        var out = MatchTranslator.match(RouteMatch.newBuilder().setPrefix("/")
                .addQueryParameters(QueryParameterMatcher.newBuilder().setName("a").setStringMatch(StringMatcher.newBuilder().setExact("1")))
                .addQueryParameters(QueryParameterMatcher.newBuilder().setName("b").setStringMatch(StringMatcher.newBuilder().setPrefix("x")))
                .addQueryParameters(QueryParameterMatcher.newBuilder().setName("c").setStringMatch(StringMatcher.newBuilder()
                        .setSafeRegex(RegexMatcher.newBuilder().setRegex("[0-9]+"))))
                .addQueryParameters(QueryParameterMatcher.newBuilder().setName("d").setPresentMatch(true))
                .addQueryParameters(QueryParameterMatcher.newBuilder().setName("e"))
                .build(), "m");
        var q = out.getQueryParametersList();
        assertEquals("a", q.get(0).getName());
        assertEquals("1", q.get(0).getExact());
        assertEquals("x", q.get(1).getPrefix());
        assertEquals("[0-9]+", q.get(2).getRegex());
        assertEquals("d", q.get(3).getName());
        assertTrue(q.get(3).getPresent());
        assertTrue(q.get(4).getPresent());
    }

    @Test
    void refusalsNameTheField() {
        refused("m: needs prefix, path or safe_regex", () -> MatchTranslator.match(RouteMatch.getDefaultInstance(), "m"));
        refused("m.path_separated_prefix: not supported", () -> MatchTranslator.match(
                RouteMatch.newBuilder().setPathSeparatedPrefix("/a").build(), "m"));
        refused("m.runtime_fraction: not supported", () -> MatchTranslator.match(RouteMatch.newBuilder().setPrefix("/")
                .setRuntimeFraction(RuntimeFractionalPercent.getDefaultInstance()).build(), "m"));
        refused("m.grpc: not supported", () -> MatchTranslator.match(RouteMatch.newBuilder().setPrefix("/")
                .setGrpc(RouteMatch.GrpcRouteMatchOptions.getDefaultInstance()).build(), "m"));
        refused("m.headers[1].range_match: not supported", () -> MatchTranslator.match(RouteMatch.newBuilder().setPrefix("/")
                .addHeaders(header("a").setPresentMatch(true))
                .addHeaders(header("b").setRangeMatch(Int64Range.newBuilder().setStart(1).setEnd(2))).build(), "m"));
        refused("m.headers[0].string_match.ignore_case: not supported", () -> MatchTranslator.match(RouteMatch.newBuilder().setPrefix("/")
                .addHeaders(header("a").setStringMatch(StringMatcher.newBuilder().setExact("x").setIgnoreCase(true))).build(), "m"));
        refused("m.headers[0].string_match: needs exact, prefix, suffix, contains or safe_regex", () -> MatchTranslator.match(
                RouteMatch.newBuilder().setPrefix("/").addHeaders(header("a").setStringMatch(StringMatcher.getDefaultInstance())).build(), "m"));
        refused("m.query_parameters[0].string_match.suffix: not supported", () -> MatchTranslator.match(RouteMatch.newBuilder().setPrefix("/")
                .addQueryParameters(QueryParameterMatcher.newBuilder().setName("a").setStringMatch(StringMatcher.newBuilder().setSuffix("x")))
                .build(), "m"));
        refused("m.query_parameters[0].string_match: needs exact, prefix or safe_regex", () -> MatchTranslator.match(RouteMatch.newBuilder()
                .setPrefix("/").addQueryParameters(QueryParameterMatcher.newBuilder().setName("a").setStringMatch(StringMatcher.getDefaultInstance()))
                .build(), "m"));
    }
}
