package yastack.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import yastack.proxy.fixtures.ProxyHarness;
import yastack.proxy.fixtures.TestUpstream;

/**
 * Every host transport a config can name carries the same proxying: listener sockets,
 * upstream connections, bodies both ways, connections closed after a request, on two workers.
 */
class HostTransportTest {
    @ParameterizedTest
    @ValueSource(strings = {"io_uring", "epoll", "nio"})
    void eachHostTransportProxiesRequestsBothWays(String transport) throws Exception {
        // A transport that cannot run here fails the start with the reason (io_uring needs a
        // kernel and a seccomp profile that allow it; CI's machines do).
        try (TestUpstream up = new TestUpstream("up");
             ServerHarness proxy = new ServerHarness("host_transport: " + transport + "\n"
                     + ProxyHarness.singleRoute("", up.port()), 2)) {
            JsonObject info = new JsonObject(proxy.admin("/server_info").body());
            assertEquals(transport, info.getString("host_transport"));

            for (int i = 0; i < 20; i++) {
                HttpResponse<String> r = proxy.get("/echo/" + i);
                assertEquals(200, r.statusCode());
                assertTrue(r.body().contains("uri=/echo/" + i + "\n"), r.body());
            }
            byte[] body = new byte[300_000];
            new Random(7).nextBytes(body);
            HttpResponse<String> upload = proxy.client.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + proxy.port + "/upload")).timeout(Duration.ofSeconds(20))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, upload.statusCode());
            String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
            assertTrue(upload.body().contains(sha), upload.body());

            HttpResponse<byte[]> download = proxy.client.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + proxy.port + "/bytes/1000000")).timeout(Duration.ofSeconds(20)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, download.statusCode());
            assertEquals(1_000_000, download.body().length);

            int before = up.requests.get();
            for (int i = 0; i < 10; i++) {
                try (var s = new Socket("127.0.0.1", proxy.port)) {
                    s.getOutputStream().write("GET /c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes());
                    String reply = new String(s.getInputStream().readAllBytes());
                    assertTrue(reply.startsWith("HTTP/1.1 200 "), reply);
                }
            }
            assertEquals(before + 10, up.requests.get());
        }
    }
}
