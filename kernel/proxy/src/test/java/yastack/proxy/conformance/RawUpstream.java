package yastack.proxy.conformance;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * An upstream on a plain socket, so tests control every byte it answers and see every
 * byte the proxy sends. Requests are read strictly (CRLF lines, Content-Length or chunked
 * bodies); the answer is the scripted reply registered for the request path's first
 * segment, or else an echo of the request head and body.
 */
final class RawUpstream implements AutoCloseable {
    /** What the upstream received: the head as sent, the body bytes as framed on the wire, and the decoded body. */
    record Received(String head, String wireBody, String body) {
        String path() {
            String line = head.substring(0, head.indexOf("\r\n"));
            return line.split(" ")[1];
        }

        /** Header lines (name lower-cased, value trimmed) as "name: value". */
        boolean hasHeader(String name) {
            return header(name) != null;
        }

        String header(String name) {
            for (String line : head.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).equalsIgnoreCase(name)) return line.substring(colon + 1).trim();
            }
            return null;
        }
    }

    /** A scripted reply: writes raw bytes; returns true to keep the connection open for another request. */
    interface Reply {
        boolean write(Received request, OutputStream out) throws IOException, InterruptedException;
    }

    final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    private final Map<String, Reply> replies = new ConcurrentHashMap<>();
    private final ServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "raw-upstream");
        t.setDaemon(true);
        return t;
    });

    RawUpstream() throws IOException {
        server = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
        threads.execute(this::acceptLoop);
    }

    int port() {
        return server.getLocalPort();
    }

    /** Answers requests whose path starts with {@code prefix} with {@code reply}. */
    void on(String prefix, Reply reply) {
        replies.put(prefix, reply);
    }

    /** Answers with fixed bytes, then keeps the connection or closes it. */
    void on(String prefix, String rawResponse, boolean keepOpen) {
        on(prefix, (rq, out) -> {
            out.write(rawResponse.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return keepOpen;
        });
    }

    /** The next request the upstream received, failing when none arrives in time. */
    Received next() throws InterruptedException {
        Received r = received.poll(5, TimeUnit.SECONDS);
        if (r == null) throw new AssertionError("upstream received no request");
        return r;
    }

    /** The next request if one arrives within {@code ms}, else null. */
    Received poll(long ms) throws InterruptedException {
        return received.poll(ms, TimeUnit.MILLISECONDS);
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                threads.execute(() -> serve(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            s.setSoTimeout(10_000);
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            while (true) {
                Received rq = readRequest(in);
                if (rq == null) return;
                received.add(rq);
                if (!replyFor(rq).write(rq, out)) return;
            }
        } catch (IOException | InterruptedException e) {
            // the proxy closed the connection, or a test reply aborted it
        }
    }

    private Reply replyFor(Received rq) {
        String path = rq.path();
        Reply best = null;
        int bestLen = -1;
        for (Map.Entry<String, Reply> e : replies.entrySet()) {
            if (path.startsWith(e.getKey()) && e.getKey().length() > bestLen) {
                best = e.getValue();
                bestLen = e.getKey().length();
            }
        }
        return best != null ? best : RawUpstream::echo;
    }

    /** 200 with the request head, a separator line and the decoded body. */
    static boolean echo(Received rq, OutputStream out) throws IOException {
        byte[] body = (rq.head() + "--body--\r\n" + rq.body()).getBytes(StandardCharsets.ISO_8859_1);
        out.write(("HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: " + body.length + "\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        out.write(body);
        out.flush();
        return true;
    }

    private static Received readRequest(InputStream in) throws IOException {
        String head = readHead(in);
        if (head == null) return null;
        Received probe = new Received(head, "", "");
        String te = probe.header("transfer-encoding");
        String cl = probe.header("content-length");
        if (te != null) {
            if (!te.toLowerCase(Locale.ROOT).equals("chunked")) throw new IOException("upstream got transfer-encoding " + te);
            ByteArrayOutputStream wire = new ByteArrayOutputStream();
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            while (true) {
                String sizeLine = readLine(in, wire);
                int semi = sizeLine.indexOf(';');
                int size = Integer.parseInt(semi >= 0 ? sizeLine.substring(0, semi) : sizeLine, 16);
                if (size == 0) {
                    String trailer;
                    do {
                        trailer = readLine(in, wire);
                    } while (!trailer.isEmpty());
                    break;
                }
                byte[] data = in.readNBytes(size);
                if (data.length != size) throw new IOException("connection closed inside a chunk");
                wire.write(data);
                body.write(data);
                if (!readLine(in, wire).isEmpty()) throw new IOException("chunk data not followed by CRLF");
            }
            return new Received(head, wire.toString(StandardCharsets.ISO_8859_1), body.toString(StandardCharsets.ISO_8859_1));
        }
        if (cl != null) {
            int n = Integer.parseInt(cl);
            byte[] data = in.readNBytes(n);
            if (data.length != n) throw new IOException("connection closed inside the body");
            String body = new String(data, StandardCharsets.ISO_8859_1);
            return new Received(head, body, body);
        }
        return new Received(head, "", "");
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
            sb.append((char) c);
            if (sb.length() >= 4 && sb.lastIndexOf("\r\n\r\n") == sb.length() - 4) return sb.toString();
        }
        return null;
    }

    private static String readLine(InputStream in, ByteArrayOutputStream wire) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
            wire.write(c);
            if (c == '\n') {
                if (sb.isEmpty() || sb.charAt(sb.length() - 1) != '\r') throw new IOException("bare LF from the proxy");
                return sb.substring(0, sb.length() - 1);
            }
            sb.append((char) c);
        }
        throw new IOException("connection closed mid-line");
    }

    @Override
    public void close() throws IOException {
        server.close();
        threads.shutdownNow();
    }
}
