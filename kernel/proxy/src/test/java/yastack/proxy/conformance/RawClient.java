package yastack.proxy.conformance;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A client on a plain socket: sends exact bytes and reads responses strictly as framed
 * (Content-Length, chunked, or until close), so a test sees exactly what the proxy wrote
 * and whether it closed the connection afterwards.
 */
final class RawClient implements AutoCloseable {
    /** One response as received. {@code trailers} holds chunked trailer lines. */
    record Response(String statusLine, int status, List<String[]> headers, String body, List<String[]> trailers,
                    boolean chunked) {
        String header(String name) {
            for (String[] h : headers) if (h[0].equalsIgnoreCase(name)) return h[1];
            return null;
        }

        int count(String name) {
            int n = 0;
            for (String[] h : headers) if (h[0].equalsIgnoreCase(name)) n++;
            return n;
        }

        boolean connectionClose() {
            String c = header("connection");
            return c != null && c.toLowerCase(Locale.ROOT).contains("close");
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder(statusLine).append('\n');
            for (String[] h : headers) sb.append(h[0]).append(": ").append(h[1]).append('\n');
            return sb.append('\n').append(body).toString();
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    RawClient(int port) throws IOException {
        socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setSoTimeout(5000);
        socket.setTcpNoDelay(true);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    RawClient send(String raw) throws IOException {
        return send(raw.getBytes(StandardCharsets.ISO_8859_1));
    }

    RawClient send(byte[] raw) throws IOException {
        out.write(raw);
        out.flush();
        return this;
    }

    /** Half-closes: the proxy sees the end of the request stream but can still answer. */
    RawClient shutdownOutput() throws IOException {
        socket.shutdownOutput();
        return this;
    }

    /** Reads the next response (interim ones included). */
    Response read() throws IOException {
        return read(false);
    }

    /** Reads the next response; {@code toHead} means it answers a HEAD request and has no body. */
    Response read(boolean toHead) throws IOException {
        String statusLine = line();
        if (statusLine == null) throw new IOException("connection closed before a response");
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) throw new IOException("bad status line: " + statusLine);
        int status = Integer.parseInt(parts[1]);
        List<String[]> headers = fields();
        Response head = new Response(statusLine, status, headers, "", List.of(), false);
        if (toHead || status < 200 || status == 204 || status == 304) return head;
        String te = head.header("transfer-encoding");
        if (te != null) {
            if (!te.equalsIgnoreCase("chunked")) throw new IOException("unexpected transfer-encoding " + te);
            if (head.header("content-length") != null) throw new IOException("response has both TE and CL");
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            while (true) {
                String size = line();
                if (size == null) throw new IOException("closed inside a chunked body");
                int n = Integer.parseInt(size, 16);
                if (n == 0) break;
                body.write(in.readNBytes(n));
                if (!"".equals(line())) throw new IOException("chunk data not followed by CRLF");
            }
            List<String[]> trailers = fields();
            return new Response(statusLine, status, headers, body.toString(StandardCharsets.ISO_8859_1), trailers, true);
        }
        String cl = head.header("content-length");
        byte[] body;
        if (cl != null) {
            int n = Integer.parseInt(cl);
            body = in.readNBytes(n);
            if (body.length != n) throw new IOException("closed inside a Content-Length body");
        } else {
            body = in.readAllBytes();
        }
        return new Response(statusLine, status, headers, new String(body, StandardCharsets.ISO_8859_1), List.of(), false);
    }

    /** Reads the next final response, skipping interim (1xx) ones. */
    Response readFinal() throws IOException {
        Response r;
        do r = read(); while (r.status() < 200);
        return r;
    }

    /**
     * True when the peer closes (EOF or reset) within {@code waitMs}; false when the
     * connection is still open then. Bytes arriving instead are a test failure.
     */
    boolean closedWithin(int waitMs) throws IOException {
        int old = socket.getSoTimeout();
        socket.setSoTimeout(waitMs);
        try {
            int b = in.read();
            if (b < 0) return true;
            byte[] rest = in.readNBytes(Math.min(in.available(), 4096));
            throw new AssertionError("unexpected bytes after the response: "
                    + (char) b + new String(rest, StandardCharsets.ISO_8859_1));
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true;
        } finally {
            if (!socket.isClosed()) socket.setSoTimeout(old);
        }
    }

    /** Everything that arrives until close or a quiet {@code waitMs}. */
    String drain(int waitMs) throws IOException {
        socket.setSoTimeout(waitMs);
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        try {
            int r;
            while ((r = in.read(buf)) > 0) b.write(buf, 0, r);
        } catch (SocketTimeoutException | SocketException e) {
            // quiet or reset: return what we have
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    private List<String[]> fields() throws IOException {
        List<String[]> fields = new ArrayList<>();
        String l;
        while ((l = line()) != null && !l.isEmpty()) {
            int colon = l.indexOf(':');
            if (colon <= 0) throw new IOException("bad header line: " + l);
            fields.add(new String[] {l.substring(0, colon), l.substring(colon + 1).trim()});
        }
        if (l == null) throw new IOException("closed inside a header block");
        return fields;
    }

    /** A CRLF-terminated line without the CRLF; a bare CR or LF in it is a failure. Null at EOF. */
    private String line() throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\r') {
                if (in.read() != '\n') throw new IOException("CR not followed by LF after: " + sb);
                return sb.toString();
            }
            if (c == '\n') throw new IOException("bare LF after: " + sb);
            sb.append((char) c);
        }
        if (sb.isEmpty()) return null;
        throw new IOException("closed mid-line: " + sb);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
