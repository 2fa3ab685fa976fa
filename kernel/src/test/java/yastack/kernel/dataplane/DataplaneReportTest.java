package yastack.kernel.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import yastack.kernel.io.mem.MemorySwitch;
import yastack.stack.TcpConnection;

/** What the admin API shows about a running two-worker data plane with live connections, and draining. */
class DataplaneReportTest {
    @SuppressWarnings("unchecked")
    private static Map<String, Object> obj(Object o) {
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o) {
        return (List<Object>) o;
    }

    private static long num(Object o) {
        return ((Number) o).longValue();
    }

    @Test
    void workersStackAndDrain() {
        MemorySwitch sw = new MemorySwitch();
        try (Rig rig = Rig.memory(sw, "m0", "10.0.0.2/24", 2, "software", "toeplitz");
             Peer peer = new Peer(sw, "peer", "10.0.0.1/24", 11)) {
            Ledger ledger = new Ledger(2);
            ledger.listen(rig, "m0", 80);
            List<TcpConnection> conns = SoftwareRssTest.open(peer, 40);
            SoftwareRssTest.awaitBytes(peer, ledger, 40L * SoftwareRssTest.PAYLOAD);
            DataplaneReport report = new DataplaneReport(rig.dp, rig.stats);

            List<Object> workers = report.workers();
            assertEquals(2, workers.size());
            long flows = 0, rx = 0;
            for (int w = 0; w < 2; w++) {
                Map<String, Object> o = obj(workers.get(w));
                assertEquals(w, num(o.get("worker")));
                assertEquals(ledger.accepted.get(w), num(o.get("flows")));
                assertEquals(ledger.accepted.get(w), num(o.get("tcp_connections")));
                flows += num(o.get("flows"));
                rx += num(o.get("rx_packets"));
                assertTrue(num(obj(o.get("loop")).get("polls")) > 0);
                double f = ((Number) obj(o.get("loop")).get("busy_fraction")).doubleValue();
                assertTrue(f >= 0 && f <= 1, "busy fraction " + f);
                assertEquals(0L, num(obj(o.get("drops")).get("ring_full")));
            }
            assertEquals(40, flows);
            assertTrue(rx >= 40 * 3, "rx " + rx);

            Map<String, Object> itf = obj(list(report.stack().get("interfaces")).getFirst());
            assertEquals("m0", itf.get("name"));
            assertEquals("10.0.0.2/24", itf.get("ip"));
            assertEquals(rig.dp.port("m0").mac().toString(), itf.get("mac"));
            assertEquals("software", obj(itf.get("rss")).get("effective"));
            Map<String, Object> arp = obj(list(itf.get("arp")).getFirst());
            assertEquals("10.0.0.1", arp.get("address"));
            assertEquals(peer.port.mac().toString(), arp.get("mac"));
            assertEquals(2, list(arp.get("workers")).size(), "every shard resolved the peer");
            long established = 0;
            for (Object o : list(itf.get("workers"))) {
                Object n = obj(obj(o).get("tcp_connections_by_state")).get("established");
                established += n == null ? 0 : num(n);
            }
            assertEquals(40, established);

            assertEquals(true, report.drain(1, true).get("drained"));
            assertTrue(rig.dp.workers().isDrained(1));
            assertEquals(true, obj(report.workers().get(1)).get("drained"));
            assertEquals(false, report.drain(1, true).get("changed"), "draining twice changes nothing");
            assertThrows(IllegalArgumentException.class, () -> report.drain(7, true));
            assertEquals(false, report.drain(1, false).get("drained"));
            assertTrue(rig.dp.workers().isLive(1));

            assertEquals(40, rig.stats.value("stack.m0.tcp.connections_opened_passive"));
            assertEquals(40, rig.stats.value("worker.0.flows") + rig.stats.value("worker.1.flows"));
            conns.forEach(TcpConnection::close);
        }
    }

    @Test
    void drainPathsParse() {
        assertEquals(List.of(3, true), List.of(DataplaneReport.parseDrainPath("/workers/3/drain")));
        assertEquals(List.of(0, false), List.of(DataplaneReport.parseDrainPath("/workers/0/undrain")));
        assertEquals(null, DataplaneReport.parseDrainPath("/workers/x/drain"));
        assertEquals(null, DataplaneReport.parseDrainPath("/workers/1/stop"));
    }
}
