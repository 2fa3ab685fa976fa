package yastack.proxy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A strict, independent reader of HTTP/1.x responses on a connection (RFC 9112): interim responses,
 * then one final response whose framing (no body, Content-Length, chunked, or until close) is followed
 * exactly. The fuzz tests judge the proxy's output with it, and what an upstream sent.
 */
final class StrictHttp {
    /**
     * The final response: {@code complete} when its framing ended, {@code truncatedBody} when the head
     * was whole but the body ended early, {@code consumed} the bytes read up to its end, {@code problem}
     * what was wrong when neither.
     */
    record Response(int status, List<String> fields, byte[] body, int consumed, boolean complete, boolean truncatedBody,
                    String problem) {
        static Response bad(String problem, int at) {
            return new Response(-1, List.of(), new byte[0], at, false, false, problem);
        }
    }

    private final byte[] b;
    private int i;

    private StrictHttp(byte[] b) {
        this.b = b;
    }

    /**
     * @param headRequest the request was HEAD: no response has a body
     * @param only11 accept HTTP/1.1 status lines only (what the proxy sends); else HTTP/1.0 too
     */
    static Response parse(byte[] bytes, boolean headRequest, boolean only11) {
        return new StrictHttp(bytes).response(headRequest, only11);
    }

    private Response response(boolean headRequest, boolean only11) {
        while (true) {
            int start = i;
            String line = line();
            if (line == null) return Response.bad("status line not ended", start);
            if (!line.matches(only11 ? "HTTP/1\\.1 [0-9]{3} [\\t\\x20-\\x7e\\x80-\\xff]*" : "HTTP/1\\.[01] [0-9]{3} [\\t\\x20-\\x7e\\x80-\\xff]*")) {
                return Response.bad("malformed status line: " + line, start);
            }
            int status = Integer.parseInt(line.substring(9, 12));
            List<String> fields = new ArrayList<>();
            String problem = fields(fields);
            if (problem != null) return Response.bad(problem, start);
            // RFC 9112 6.1: no HTTP/1.0 message may carry Transfer-Encoding; faulty framing (502)
            List<String> te = values(fields, "transfer-encoding");
            if (line.startsWith("HTTP/1.0") && !te.isEmpty()) {
                return Response.bad("Transfer-Encoding in an HTTP/1.0 response", start);
            }
            // A coding the proxy cannot decode is refused even where no body follows (HEAD, 1xx,
            // 204, 304; RFC 9112 6.1: a 204 must not carry Transfer-Encoding at all): nginx answers
            // 502 as the proxy does, before it looks at the status or the method.
            if (!te.isEmpty() && (te.size() != 1 || !te.getFirst().equalsIgnoreCase("chunked"))) {
                return Response.bad("transfer coding " + te, start);
            }
            if (status >= 100 && status < 200 && status != 101) continue; // interim
            if (status == 101) {
                return new Response(status, fields, new byte[0], b.length, true, false, null); // the rest is a tunnel
            }
            List<String> cl = values(fields, "content-length");
            // A bodiless response's length is known, but a malformed Content-Length still makes it
            // one a proxy refuses (RFC 9112 6.3; nginx answers 502 too).
            if (!cl.isEmpty() && (cl.size() != 1 || !cl.getFirst().matches("[0-9]{1,18}"))) {
                return Response.bad("Content-Length " + cl, start);
            }
            if (headRequest || status == 204 || status == 304) {
                return new Response(status, fields, new byte[0], i, true, false, null);
            }
            if (!te.isEmpty() && !cl.isEmpty()) return Response.bad("both Transfer-Encoding and Content-Length", start);
            if (!te.isEmpty()) return chunked(status, fields);
            if (!cl.isEmpty()) {
                if (cl.size() != 1 || !cl.getFirst().matches("[0-9]{1,18}")) return Response.bad("Content-Length " + cl, start);
                long n = Long.parseLong(cl.getFirst());
                int have = (int) Math.min(n, b.length - i);
                byte[] body = Arrays.copyOfRange(b, i, i + have);
                i += have;
                return new Response(status, fields, body, i, have == n, have < n, null);
            }
            byte[] body = Arrays.copyOfRange(b, i, b.length);
            return new Response(status, fields, body, b.length, true, false, null);
        }
    }

    private Response chunked(int status, List<String> fields) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            int at = i;
            String size = line();
            if (size == null) return new Response(status, fields, body.toByteArray(), at, false, true, null);
            if (!size.matches("[0-9a-fA-F]{1,8}(;[!#$%&'*+.^_`|~0-9A-Za-z-]+(=[!#$%&'*+.^_`|~0-9A-Za-z-]+)?)*")) {
                return Response.bad("chunk size line: " + size, at);
            }
            int n = Integer.parseInt(size.split(";", 2)[0], 16);
            if (n == 0) {
                List<String> trailers = new ArrayList<>();
                String problem = fields(trailers);
                if (problem != null) return new Response(status, fields, body.toByteArray(), at, false, true, null);
                return new Response(status, fields, body.toByteArray(), i, true, false, null);
            }
            int have = Math.min(n, b.length - i);
            body.write(b, i, have);
            i += have;
            if (have < n) return new Response(status, fields, body.toByteArray(), i, false, true, null);
            if (b.length - i < 2) return new Response(status, fields, body.toByteArray(), i, false, true, null);
            if (b[i] != '\r' || b[i + 1] != '\n') return Response.bad("chunk data not followed by CRLF", i);
            i += 2;
        }
    }

    /** Field lines up to the empty line; null when well formed, else what is wrong. */
    private String fields(List<String> out) {
        while (true) {
            String line = line();
            if (line == null) return "head not ended";
            if (line.isEmpty()) return null;
            int colon = line.indexOf(':');
            if (colon <= 0 || !line.substring(0, colon).matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) return "malformed field line: " + line;
            // only OWS (SP, HTAB) surrounds a value (RFC 9110 5.5): a CR or LF there is a control character
            String value = line.substring(colon + 1).replaceAll("^[ \\t]+|[ \\t]+$", "");
            if (!value.matches("[\\t\\x20-\\x7e\\x80-\\xff]*")) return "control character in field value: " + line;
            out.add(line.substring(0, colon).toLowerCase(Locale.ROOT) + ":" + value);
        }
    }

    private static List<String> values(List<String> fields, String name) {
        List<String> r = new ArrayList<>();
        for (String f : fields) {
            if (f.startsWith(name + ":")) {
                // Every element, empty ones too ("chunked,"): the proxy, like nginx, takes a
                // Transfer-Encoding of exactly "chunked" and a Content-Length of digits only.
                for (String v : f.substring(name.length() + 1).split(",", -1)) r.add(v.strip());
            }
        }
        return r;
    }

    /** The next CRLF-terminated line (bare CR or LF inside is kept, and fails the callers' patterns); null at the end. */
    private String line() {
        for (int j = i; j + 1 < b.length; j++) {
            if (b[j] == '\r' && b[j + 1] == '\n') {
                String s = new String(b, i, j - i, StandardCharsets.ISO_8859_1);
                i = j + 2;
                return s;
            }
        }
        return null;
    }
}
