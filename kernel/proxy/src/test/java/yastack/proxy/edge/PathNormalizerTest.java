package yastack.proxy.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import yastack.api.config.HttpConnectionManager.PathWithEscapedSlashesAction;

/** The normalizer alone; {@link PathNormalizationTest} runs the same spellings through the proxy. */
class PathNormalizerTest {
    private final PathNormalizer edge = new PathNormalizer(true, true, PathWithEscapedSlashesAction.UNESCAPE_AND_REDIRECT);

    private static String result(PathNormalizer n, String path) {
        return switch (n.apply(path)) {
            case PathNormalizer.Unchanged u -> "=" + path;
            case PathNormalizer.Changed c -> c.path();
            case PathNormalizer.Redirect r -> "redirect " + r.path();
            case PathNormalizer.Reject r -> "reject";
        };
    }

    @Test
    void dotSegmentsAreRemovedAsRfc3986Says() {
        assertEquals("/admin", result(edge, "/x/../admin"));
        assertEquals("/admin", result(edge, "/./admin"));
        assertEquals("/admin", result(edge, "/../../admin"));
        assertEquals("/a/", result(edge, "/a/b/.."));
        assertEquals("/a/", result(edge, "/a/."));
        assertEquals("/", result(edge, "/.."));
        assertEquals("=/a/..b/.c/d.", result(edge, "/a/..b/.c/d."));
        assertEquals("=/", result(edge, "/"));
        assertEquals("=*", result(edge, "*"));
    }

    @Test
    void unreservedCharactersAreDecodedAndOtherEncodingsUpperCased() {
        assertEquals("/admin", result(edge, "/%61dmin"));
        assertEquals("/admin", result(edge, "/x/%2e%2e/admin"));
        assertEquals("/admin", result(edge, "/x/%2E%2E/admin"));
        assertEquals("/a%20b%3F", result(edge, "/a%20b%3f"));
        assertEquals("=/a%20b", result(edge, "/a%20b"));
        assertEquals("reject", result(edge, "/a%zzb"));
        assertEquals("reject", result(edge, "/a%2"));
    }

    @Test
    void slashesAreMerged() {
        assertEquals("/admin", result(edge, "//admin"));
        assertEquals("/a/b/", result(edge, "/a///b//"));
        assertEquals("/b", result(edge, "/a//../b"));
    }

    @Test
    void escapedSlashesFollowTheAction() {
        assertEquals("redirect /admin", result(edge, "/public%2F..%2Fadmin"));
        assertEquals("redirect /a/b", result(edge, "/a%5cb"));
        assertEquals("reject", result(new PathNormalizer(true, true, PathWithEscapedSlashesAction.REJECT_REQUEST), "/a%2fb"));
        assertEquals("/admin", result(new PathNormalizer(true, true, PathWithEscapedSlashesAction.UNESCAPE_AND_FORWARD), "/x%2F..%2Fadmin"));
        assertEquals("/x%2F..%2Fadmin", result(new PathNormalizer(true, true, PathWithEscapedSlashesAction.KEEP_UNCHANGED), "/x%2f..%2fadmin"));
    }

    @Test
    void everythingOffLeavesThePathAlone() {
        PathNormalizer off = new PathNormalizer(false, false, PathWithEscapedSlashesAction.KEEP_UNCHANGED);
        assertEquals("=//x/../admin%2F", result(off, "//x/../admin%2F"));
    }
}
