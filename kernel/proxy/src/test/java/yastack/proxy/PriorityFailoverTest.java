package yastack.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import yastack.proxy.HealthCheckTest.SwitchableUpstream;
import yastack.proxy.fixtures.ProxyHarness;
import yastack.proxy.fixtures.TestUpstream;

/**
 * Endpoint priorities through the real proxy, with active health checks deciding health: the
 * backup level takes everything while the primary level is down, the part the primary level
 * cannot carry when half of it is down (Envoy's 1.4 overprovisioning: 70% stays, 30% spills),
 * and nothing once the primary level is whole again; endpoints the config (or EDS) marks
 * unhealthy count in their level without taking traffic, draining ones count nowhere.
 */
class PriorityFailoverTest {
    static SwitchableUpstream primaryA, primaryB;
    static TestUpstream backup;
    static ProxyHarness proxy;

    @BeforeAll
    static void start() throws Exception {
        primaryA = new SwitchableUpstream();
        primaryB = new SwitchableUpstream();
        backup = new TestUpstream("backup");
        proxy = new ProxyHarness(ProxyHarness.listenerWithRoutes("", """
                - {match: {prefix: "/"}, route: {cluster: tiered}}
                """) + """
                clusters:
                  - name: tiered
                    health_check: {path: /healthz, interval: 100ms, timeout: 1s, unhealthy_threshold: 1, healthy_threshold: 1}
                    endpoints:
                      - {address: 127.0.0.1, port: %d}
                      - {address: 127.0.0.1, port: %d, priority: 0}
                      - {address: 127.0.0.1, port: %d, priority: 1}
                """.formatted(primaryA.server.getAddress().getPort(), primaryB.server.getAddress().getPort(), backup.port()), 1);
    }

    @AfterAll
    static void stop() {
        if (proxy != null) proxy.close();
        primaryA.close();
        primaryB.close();
        backup.close();
    }

    private static String awaitHealth(String expected) throws Exception {
        String h = "";
        for (int i = 0; i < 100 && !(h = String.join(",", proxy.endpointHealth("tiered"))).equals(expected); i++) Thread.sleep(50);
        return h;
    }

    /** How many of {@code n} requests the backup level answered. */
    private static int toBackup(int n) throws Exception {
        int backupAnswers = 0;
        for (int i = 0; i < n; i++) {
            HttpResponse<String> r = proxy.get("/r" + i);
            assertEquals(200, r.statusCode());
            if (r.body().contains("backup")) backupAnswers++;
        }
        return backupAnswers;
    }

    @Test
    void loadSpillsToTheNextLevelAsThePrimaryLevelLosesHealth() throws Exception {
        assertEquals("failed_active_hc,failed_active_hc,healthy", awaitHealth("failed_active_hc,failed_active_hc,healthy"));
        assertEquals(40, toBackup(40), "the primary level is down: everything goes to the backup");

        primaryA.healthStatus.set(200);
        assertEquals("healthy,failed_active_hc,healthy", awaitHealth("healthy,failed_active_hc,healthy"));
        int spilled = toBackup(400);
        // 1 of 2 healthy is 70% health: 30% spills; 400 picks put that within 55..85% primary at 6 sigma.
        assertTrue(spilled >= 60 && spilled <= 180, "expected ~120 of 400 at the backup, got " + spilled);
        assertTrue(primaryA.traffic.get() >= 220, "the healthy primary carries the rest: " + primaryA.traffic.get());
        assertEquals(0, primaryB.traffic.get(), "the failing primary takes nothing");

        primaryB.healthStatus.set(200);
        assertEquals("healthy,healthy,healthy", awaitHealth("healthy,healthy,healthy"));
        assertEquals(0, toBackup(40), "a whole primary level takes everything");
    }

    @Test
    void anEndpointConfiguredUnhealthyCountsInItsLevelAndADrainingOneNowhere() throws Exception {
        TestUpstream primary = new TestUpstream("primary"), unhealthy = new TestUpstream("unhealthy"),
                draining = new TestUpstream("draining"), spare = new TestUpstream("backup");
        try (ProxyHarness p = new ProxyHarness(ProxyHarness.listenerWithRoutes("", """
                - {match: {prefix: "/"}, route: {cluster: marked}}
                """) + """
                clusters:
                  - name: marked
                    endpoints:
                      - {address: 127.0.0.1, port: %d}
                      - {address: 127.0.0.1, port: %d, health_status: unhealthy}
                      - {address: 127.0.0.1, port: %d, health_status: draining}
                      - {address: 127.0.0.1, port: %d, priority: 1}
                """.formatted(primary.port(), unhealthy.port(), draining.port(), spare.port()), 1)) {
            assertEquals(List.of("healthy", "failed_eds_health", "healthy"), p.endpointHealth("marked"));
            int spilled = 0, n = 400;
            for (int i = 0; i < n; i++) {
                HttpResponse<String> r = p.get("/m" + i);
                assertEquals(200, r.statusCode());
                assertTrue(!r.body().contains("unhealthy") && !r.body().contains("draining"), r.body());
                if (r.body().contains("backup")) spilled++;
            }
            // 1 of 2 counted at level 0 is 70% health: ~120 of 400 spill (6 sigma: 60..180)
            assertTrue(spilled >= 60 && spilled <= 180, "expected ~120 of 400 at the backup, got " + spilled);
        } finally {
            for (TestUpstream u : List.of(primary, unhealthy, draining, spare)) u.close();
        }
    }
}
