package yastack.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import yastack.proxy.fixtures.ProxyHarness;
import yastack.proxy.fixtures.TestUpstream;

/** {@code max_request_body_kb}: 413 before forwarding when Content-Length says too much, mid-stream for chunked bodies. */
class RequestBodyLimitTest {
    static TestUpstream up;
    static ProxyHarness proxy;

    @BeforeAll
    static void start() throws Exception {
        up = new TestUpstream("up");
        proxy = new ProxyHarness(ProxyHarness.singleRoute("max_request_body_kb: 4", up.port()), 1);
    }

    @AfterAll
    static void stop() {
        proxy.close();
        up.close();
    }

    @Test
    void bodiesUpToTheLimitPass() throws Exception {
        HttpResponse<String> r = proxy.client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.port + "/upload"))
                .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofByteArray(new byte[4096])).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertTrue(r.body().startsWith("4096 "), r.body());
    }

    @Test
    void contentLengthOverTheLimitIs413AndNeverReachesTheUpstream() throws Exception {
        long tooLarge = proxy.stat("http.web.downstream_rq_too_large");
        int seen = up.requests.get();
        // A client that sends the whole 1 MiB body anyway still reads the 413 (no reset from unread data).
        String head = "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 1048576\r\n\r\n";
        try (Socket s = new Socket("127.0.0.1", proxy.port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            byte[] chunk = new byte[64 * 1024];
            try {
                for (int i = 0; i < 16; i++) out.write(chunk);
            } catch (SocketException e) {
                // the proxy may stop reading once it has answered; what matters is the answer
            }
            String answer = readAll(s.getInputStream());
            assertTrue(answer.startsWith("HTTP/1.1 413 "), answer);
            assertTrue(answer.toLowerCase().contains("connection: close"), answer);
        }
        assertEquals(tooLarge + 1, proxy.awaitStat("http.web.downstream_rq_too_large", tooLarge + 1));
        assertEquals(seen, up.requests.get(), "the upstream never saw the request");
    }

    @Test
    void expectContinueOverTheLimitIs413WithoutTheBody() throws Exception {
        String answer = proxy.raw("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\nExpect: 100-continue\r\n\r\n", 5000);
        assertTrue(answer.startsWith("HTTP/1.1 413 "), answer);
        assertTrue(!answer.contains("100 Continue"), answer);
    }

    @Test
    void chunkedBodyGrowingPastTheLimitIs413() throws Exception {
        long tooLarge = proxy.stat("http.web.downstream_rq_too_large");
        StringBuilder req = new StringBuilder("POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
        String kib = "a".repeat(1024);
        for (int i = 0; i < 6; i++) req.append("400\r\n").append(kib).append("\r\n");
        req.append("0\r\n\r\n");
        String answer = proxy.raw(req.toString(), 5000);
        assertTrue(answer.startsWith("HTTP/1.1 413 "), answer);
        assertEquals(tooLarge + 1, proxy.awaitStat("http.web.downstream_rq_too_large", tooLarge + 1));
        // The connection to the upstream that saw the partial body was dropped, not reused.
        HttpResponse<String> r = proxy.get("/after");
        assertEquals(200, r.statusCode());
    }

    private static String readAll(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        byte[] buf = new byte[8192];
        int r;
        while ((r = in.read(buf)) > 0) sb.append(new String(buf, 0, r, StandardCharsets.ISO_8859_1));
        return sb.toString();
    }
}
