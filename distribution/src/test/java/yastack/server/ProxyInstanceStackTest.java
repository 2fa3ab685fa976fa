package yastack.server;

import yastack.kernel.fixtures.NetSetup;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import yastack.config.ConfigLoader;
import yastack.kernel.fixtures.Shell;
import yastack.server.ProxyInstance;

/** A config with a {@code stack:} section, started the way {@code yastack run} does: the data plane comes up with it. */
class ProxyInstanceStackTest {
    @Test
    void runStartsTheDataPlaneFromConfig() throws Exception {
        NetSetup.requireRootAnd("ping", "ip");
        String dev = "ydp" + NetSetup.suffix();
        int n = NetSetup.subnet();
        String ours = "10.76." + n + ".2";
        String yaml = """
                stack:
                  workers: 2
                  idle: adaptive
                  rss: {mode: software, steering: toeplitz}
                  interfaces: [{name: t0, backend: tap, device: %s, ip: %s/24, mtu: 1500}]
                """.formatted(dev, ours);
        try (ProxyInstance p = ProxyInstance.start(ConfigLoader.parse(yaml, Path.of(".")), 2, 0, false)) {
            assertNotNull(p.dataplane());
            Shell.must("ip", "addr", "add", "10.76." + n + ".1/24", "dev", dev);
            assertEquals(20, NetSetup.ping20(ours));
            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + p.adminPort();
            JsonObject stack = new JsonObject(http.send(HttpRequest.newBuilder(URI.create(base + "/stack")).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            JsonObject itf = stack.getJsonArray("interfaces").getJsonObject(0);
            assertEquals("t0", itf.getString("name"));
            assertEquals(dev, itf.getString("device"));
            assertEquals("software", itf.getJsonObject("rss").getString("effective"));
            assertTrue(itf.getJsonArray("arp").size() >= 1, "the kernel side is in the neighbour cache");
            JsonArray workers = new JsonArray(http.send(HttpRequest.newBuilder(URI.create(base + "/workers")).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            assertEquals(2, workers.size());
            String prom = http.send(HttpRequest.newBuilder(URI.create(base + "/stats/prometheus")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(prom.contains("echo_replies_sent"), "stack counters exported");
            assertEquals(200, call(http, "POST", base + "/workers/1/drain").statusCode());
            assertTrue(p.dataplane().workers().isDrained(1));
            assertEquals(405, call(http, "GET", base + "/workers/1/drain").statusCode());
            assertEquals(404, call(http, "POST", base + "/workers/7/drain").statusCode());
            assertEquals(404, call(http, "POST", base + "/workers/x/drain").statusCode());
            assertEquals(200, call(http, "POST", base + "/workers/1/undrain").statusCode());
            assertTrue(p.dataplane().workers().isLive(1));
        } finally {
            Shell.quietly("ip", "link", "del", dev);
        }
    }

    /**
     * {@code stack.tcp} reaches the handshake: with SACK, timestamps and window scaling off the
     * kernel's connection to a userspace listener agreed to none of them (its {@code TCP_INFO}),
     * which it does by default, and {@code /stack} reports what the interface offers.
     */
    @Test
    void tcpSectionDecidesWhatTheHandshakeOffers() throws Exception {
        NetSetup.requireRootAnd("ip", "python3");
        String dev = "ytc" + NetSetup.suffix();
        int n = NetSetup.subnet();
        String ours = "10.76." + n + ".2";
        String yaml = """
                stack:
                  workers: 1
                  tcp: {sack: false, timestamps: false, window_scaling: false, receive_buffer: 32768}
                  interfaces: [{name: t0, backend: tap, device: %s, ip: %s/24}]
                listeners:
                  - name: u
                    address: %s
                    port: 8080
                    flavor: userspace
                    http:
                      route_config:
                        virtual_hosts: [{name: all, domains: ["*"], routes: [{match: {prefix: "/"}, direct_response: {status: 200, body: "ok"}}]}]
                """.formatted(dev, ours, ours);
        try (ProxyInstance p = ProxyInstance.start(ConfigLoader.parse(yaml, Path.of(".")), 1, 0, false)) {
            Shell.must("ip", "addr", "add", "10.76." + n + ".1/24", "dev", dev);
            // The kernel's view of the connection: TCP_INFO's tcpi_options (1 timestamps, 2 SACK, 4 window scaling).
            String seen = Shell.must("python3", "-c", """
                    import socket, sys
                    s = socket.create_connection((sys.argv[1], 8080), 5)
                    s.sendall(b'GET / HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n')
                    answer = s.recv(12).decode()
                    print(answer, s.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 8)[5])
                    """, ours).trim();
            assertEquals("HTTP/1.1 200 0", seen, "no timestamps, SACK or window scaling agreed");
            HttpClient http = HttpClient.newHttpClient();
            JsonObject itf = new JsonObject(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + p.adminPort() + "/stack")).build(),
                    HttpResponse.BodyHandlers.ofString()).body()).getJsonArray("interfaces").getJsonObject(0);
            JsonObject tcp = itf.getJsonObject("tcp");
            assertEquals(false, tcp.getBoolean("sack"));
            assertEquals(false, tcp.getBoolean("timestamps"));
            assertEquals(true, tcp.getBoolean("ecn"), "unset fields keep their defaults");
            assertEquals(32768, tcp.getInteger("receive_buffer"));
        } finally {
            Shell.quietly("ip", "link", "del", dev);
        }
    }

    private static HttpResponse<String> call(HttpClient http, String method, String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).method(method, HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
