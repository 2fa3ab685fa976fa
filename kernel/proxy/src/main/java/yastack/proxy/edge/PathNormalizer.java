package yastack.proxy.edge;

import yastack.api.config.HttpConnectionManager.PathWithEscapedSlashesAction;

/**
 * Brings a request path to the one form routing and the upstream both see, so that no
 * spelling of {@code /admin} (as {@code //admin}, {@code /x/../admin}, {@code /%61dmin},
 * {@code /x/%2e%2e/admin} or {@code /x%2F..%2Fadmin}) can match a different route here than
 * the resource it names upstream. In order: escaped slashes ({@code %2F}, {@code %5C}) as
 * the listener says; percent-encoded unreserved characters decoded and the remaining
 * encodings upper-cased (RFC 3986 6.2.2); runs of slashes merged; dot segments removed
 * (RFC 3986 5.2.4). A malformed percent-encoding is rejected. Immutable and thread-safe.
 */
public final class PathNormalizer {
    /** What becomes of a path. */
    public sealed interface Result {}

    /** The path stays as it is. */
    public record Unchanged() implements Result {}

    /** Route and forward {@code path} instead. */
    public record Changed(String path) implements Result {}

    /** The client is sent to {@code path} (307): it had escaped slashes and the listener redirects them. */
    public record Redirect(String path) implements Result {}

    /** The request is refused (400) for {@code reason}. */
    public record Reject(String reason) implements Result {}

    private static final Unchanged UNCHANGED = new Unchanged();

    private final boolean normalize;
    private final boolean mergeSlashes;
    private final PathWithEscapedSlashesAction escapedSlashes;

    public PathNormalizer(boolean normalize, boolean mergeSlashes, PathWithEscapedSlashesAction escapedSlashes) {
        this.normalize = normalize;
        this.mergeSlashes = mergeSlashes;
        this.escapedSlashes = escapedSlashes;
    }

    /** Whether this normalizer can change anything at all. */
    public boolean active() {
        return normalize || mergeSlashes || escapedSlashes != PathWithEscapedSlashesAction.KEEP_UNCHANGED;
    }

    /** @param path a request path without its query (origin-form, or {@code *}) */
    public Result apply(String path) {
        if (!active() || path.isEmpty() || path.charAt(0) != '/') return UNCHANGED;
        // The common case costs one scan: nothing that any step would touch.
        if (plain(path)) return UNCHANGED;
        String p = path;
        boolean redirect = false;
        if (escapedSlashes != PathWithEscapedSlashesAction.KEEP_UNCHANGED && hasEscapedSlash(p)) {
            switch (escapedSlashes) {
                case REJECT_REQUEST -> { return new Reject("escaped slash in path"); }
                case UNESCAPE_AND_REDIRECT -> redirect = true;
                default -> { }
            }
            p = unescapeSlashes(p);
        }
        if (normalize) {
            p = decodeUnreserved(p);
            if (p == null) return new Reject("malformed percent-encoding in path");
        }
        if (mergeSlashes) p = mergeSlashes(p);
        if (normalize) p = removeDotSegments(p);
        if (redirect) return new Redirect(p);
        return p.equals(path) ? UNCHANGED : new Changed(p);
    }

    /** No '%', no "//", no dot segment: nothing to do. */
    private static boolean plain(String p) {
        for (int i = 0; i < p.length(); i++) {
            char c = p.charAt(i);
            if (c == '%') return false;
            if (c == '/' && i + 1 < p.length()) {
                char n = p.charAt(i + 1);
                if (n == '/') return false;
                if (n == '.' && (i + 2 == p.length() || p.charAt(i + 2) == '/'
                        || (p.charAt(i + 2) == '.' && (i + 3 == p.length() || p.charAt(i + 3) == '/')))) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean hasEscapedSlash(String p) {
        for (int i = p.indexOf('%'); i >= 0 && i + 2 < p.length(); i = p.indexOf('%', i + 1)) {
            if (isEscapedSlash(p, i)) return true;
        }
        return false;
    }

    private static boolean isEscapedSlash(String p, int i) {
        char a = p.charAt(i + 1), b = Character.toUpperCase(p.charAt(i + 2));
        return (a == '2' && b == 'F') || (a == '5' && b == 'C');
    }

    /** %2F becomes '/', and %5C too (a backslash is a separator to some upstreams, so it is treated as one). */
    private static String unescapeSlashes(String p) {
        StringBuilder sb = new StringBuilder(p.length());
        for (int i = 0; i < p.length(); i++) {
            if (p.charAt(i) == '%' && i + 2 < p.length() && isEscapedSlash(p, i)) {
                sb.append('/');
                i += 2;
            } else {
                sb.append(p.charAt(i));
            }
        }
        return sb.toString();
    }

    /** Decodes %XX of unreserved characters, upper-cases the hex of the rest; null on a malformed encoding. */
    static String decodeUnreserved(String p) {
        if (p.indexOf('%') < 0) return p;
        StringBuilder sb = new StringBuilder(p.length());
        for (int i = 0; i < p.length(); i++) {
            char c = p.charAt(i);
            if (c != '%') {
                sb.append(c);
                continue;
            }
            if (i + 2 >= p.length()) return null;
            int hi = Character.digit(p.charAt(i + 1), 16), lo = Character.digit(p.charAt(i + 2), 16);
            if (hi < 0 || lo < 0) return null;
            char decoded = (char) (hi * 16 + lo);
            if (unreserved(decoded)) sb.append(decoded);
            else sb.append('%').append(Character.toUpperCase(p.charAt(i + 1))).append(Character.toUpperCase(p.charAt(i + 2)));
            i += 2;
        }
        return sb.toString();
    }

    private static boolean unreserved(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '-' || c == '.' || c == '_' || c == '~';
    }

    static String mergeSlashes(String p) {
        if (!p.contains("//")) return p;
        StringBuilder sb = new StringBuilder(p.length());
        for (int i = 0; i < p.length(); i++) {
            char c = p.charAt(i);
            if (c == '/' && !sb.isEmpty() && sb.charAt(sb.length() - 1) == '/') continue;
            sb.append(c);
        }
        return sb.toString();
    }

    /** RFC 3986 5.2.4 on an absolute path: "." segments go, ".." removes the one before (never above the root). */
    static String removeDotSegments(String p) {
        String[] segments = p.substring(1).split("/", -1);
        String[] out = new String[segments.length];
        int n = 0;
        boolean trailingSlash = false;
        for (int i = 0; i < segments.length; i++) {
            String s = segments[i];
            boolean last = i == segments.length - 1;
            if (s.equals(".") || s.equals("..")) {
                if (s.equals("..") && n > 0) n--;
                // "/a/." and "/a/.." name a directory: the result keeps its trailing slash.
                if (last) trailingSlash = true;
                continue;
            }
            out[n++] = s;
        }
        StringBuilder sb = new StringBuilder(p.length());
        for (int i = 0; i < n; i++) sb.append('/').append(out[i]);
        if (trailingSlash || sb.isEmpty()) sb.append('/');
        return sb.toString();
    }
}
