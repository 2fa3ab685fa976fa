package yastack.proxy.edge;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP/1.1 upstream on a plain socket whose every answer is a script: it reads a request
 * head (bodies are not expected) and runs {@link Script#answer} with the connection's
 * output, then closes. For timing tests: a head and then silence, bytes with pauses between.
 */
final class ScriptedUpstream implements AutoCloseable {
    interface Script {
        void answer(String requestHead, OutputStream out) throws IOException, InterruptedException;
    }

    final AtomicInteger connections = new AtomicInteger();
    private final ServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "scripted-upstream");
        t.setDaemon(true);
        return t;
    });

    ScriptedUpstream(Script script) throws IOException {
        server = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
        threads.execute(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    connections.incrementAndGet();
                    threads.execute(() -> serve(s, script));
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    private static void serve(Socket s, Script script) {
        try (s) {
            InputStream in = s.getInputStream();
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) return;
                head.append((char) b);
            }
            script.answer(head.toString(), s.getOutputStream());
        } catch (IOException | InterruptedException e) {
            // the proxy went away; that is what some tests wait for
        }
    }

    int port() {
        return server.getLocalPort();
    }

    static void write(OutputStream out, String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    @Override
    public void close() throws IOException {
        server.close();
        threads.shutdownNow();
    }
}
