package yastack.kernel.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;
import yastack.kernel.admin.AdminServer;
import yastack.kernel.io.mem.MemorySwitch;
import yastack.stack.TcpConnection;

/** The admin endpoints over a running two-worker data plane with live connections. */
class DataplaneAdminTest {
    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> call(int port, String method, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void workersStackDrainAndStats() throws Exception {
        MemorySwitch sw = new MemorySwitch();
        try (Rig rig = Rig.memory(sw, "m0", "10.0.0.2/24", 2, "software", "toeplitz");
             Peer peer = new Peer(sw, "peer", "10.0.0.1/24", 11)) {
            Ledger ledger = new Ledger(2);
            ledger.listen(rig, "m0", 80);
            List<TcpConnection> conns = SoftwareRssTest.open(peer, 40);
            SoftwareRssTest.awaitBytes(peer, ledger, 40L * SoftwareRssTest.PAYLOAD);
            AdminServer admin = new AdminServer(rig.proxy, () -> true, () -> { }, rig.dp);
            try {
                int port = admin.start("127.0.0.1", 0);
                HttpResponse<String> r = call(port, "GET", "/workers");
                assertEquals(200, r.statusCode(), r.body());
                JsonArray workers = new JsonArray(r.body());
                assertEquals(2, workers.size());
                long flows = 0, rx = 0;
                for (int w = 0; w < 2; w++) {
                    JsonObject o = workers.getJsonObject(w);
                    assertEquals(w, o.getInteger("worker"));
                    assertEquals(ledger.accepted.get(w), o.getInteger("flows"));
                    assertEquals(ledger.accepted.get(w), o.getInteger("tcp_connections"));
                    flows += o.getInteger("flows");
                    rx += o.getLong("rx_packets");
                    assertTrue(o.getJsonObject("loop").getLong("polls") > 0);
                    double f = o.getJsonObject("loop").getDouble("busy_fraction");
                    assertTrue(f >= 0 && f <= 1, "busy fraction " + f);
                    assertEquals(0L, o.getJsonObject("drops").getLong("ring_full"));
                }
                assertEquals(40, flows);
                assertTrue(rx >= 40 * 3, "rx " + rx);

                r = call(port, "GET", "/stack");
                assertEquals(200, r.statusCode(), r.body());
                JsonObject itf = new JsonObject(r.body()).getJsonArray("interfaces").getJsonObject(0);
                assertEquals("m0", itf.getString("name"));
                assertEquals("10.0.0.2/24", itf.getString("ip"));
                assertEquals(rig.dp.port("m0").mac().toString(), itf.getString("mac"));
                assertEquals("software", itf.getJsonObject("rss").getString("effective"));
                JsonObject arp = itf.getJsonArray("arp").getJsonObject(0);
                assertEquals("10.0.0.1", arp.getString("address"));
                assertEquals(peer.port.mac().toString(), arp.getString("mac"));
                assertEquals(2, arp.getJsonArray("workers").size(), "every shard resolved the peer");
                long established = 0;
                for (Object o : itf.getJsonArray("workers")) {
                    established += ((JsonObject) o).getJsonObject("tcp_connections_by_state").getLong("established", 0L);
                }
                assertEquals(40, established);

                r = call(port, "POST", "/workers/1/drain");
                assertEquals(200, r.statusCode(), r.body());
                assertTrue(new JsonObject(r.body()).getBoolean("drained"));
                assertTrue(rig.dp.workers().isDrained(1));
                assertTrue(new JsonArray(call(port, "GET", "/workers").body()).getJsonObject(1).getBoolean("drained"));
                assertEquals(405, call(port, "GET", "/workers/1/drain").statusCode());
                assertEquals(404, call(port, "POST", "/workers/7/drain").statusCode());
                assertEquals(404, call(port, "POST", "/workers/x/drain").statusCode());
                r = call(port, "POST", "/workers/1/undrain");
                assertEquals(200, r.statusCode());
                assertTrue(rig.dp.workers().isLive(1));

                String prom = call(port, "GET", "/stats/prometheus").body();
                String text = call(port, "GET", "/stats").body();
                for (String s : new String[] {prom, text}) {
                    assertTrue(s.contains("stack") && s.contains("tcp") && s.contains("retransmits"), "stack counters missing");
                    assertTrue(s.contains("rx_packets"), "worker counters missing");
                }
                assertTrue(text.contains("stack.m0.tcp.connections_opened_passive"), text.lines().filter(l -> l.contains("stack.")).findFirst().orElse(""));
                assertEquals(40, rig.stats.value("stack.m0.tcp.connections_opened_passive"));
                assertEquals(40, rig.stats.value("worker.0.flows") + rig.stats.value("worker.1.flows"));
            } finally {
                admin.close();
            }
            conns.forEach(TcpConnection::close);
        }
    }
}
