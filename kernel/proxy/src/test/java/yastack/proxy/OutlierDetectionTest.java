package yastack.proxy;

import yastack.proxy.fixtures.ProxyHarness;
import yastack.proxy.fixtures.TestUpstream;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Outlier detection through the real proxy: consecutive 5xx answers take an endpoint out of the rotation. */
class OutlierDetectionTest {
    @Test
    void consecutive5xxEjectTheEndpoint() throws Exception {
        try (TestUpstream good = new TestUpstream("good"); RetryPolicyTest.FixedUpstream bad = new RetryPolicyTest.FixedUpstream(503, 0);
             ProxyHarness proxy = new ProxyHarness(ProxyHarness.listenerWithRoutes("", "- {match: {prefix: \"/\"}, route: {cluster: c}}") + """
                     clusters:
                       - name: c
                         outlier_detection: {consecutive_5xx: 3, base_ejection_time: 30s, max_ejection_percent: 50}
                         endpoints: [{address: 127.0.0.1, port: %d}, {address: 127.0.0.1, port: %d}]
                     """.formatted(bad.port(), good.port()), 1)) {
            int failed = 0;
            for (int i = 0; i < 20; i++) if (proxy.get("/r" + i).statusCode() != 200) failed++;
            // Round robin alternates: the failing endpoint answers three times, then it is out.
            assertEquals(3, failed);
            assertEquals(3, bad.requests.get());
            assertEquals(1, proxy.stat("cluster.c.outlier_detection.ejections_enforced_consecutive_5xx"));
            assertEquals(List.of("ejected", "healthy"), proxy.endpointHealth("c"));
        }
    }

    @Test
    void maxEjectionPercentKeepsSomeEndpointsIn() throws Exception {
        try (RetryPolicyTest.FixedUpstream a = new RetryPolicyTest.FixedUpstream(500, 0);
             RetryPolicyTest.FixedUpstream b = new RetryPolicyTest.FixedUpstream(500, 0);
             ProxyHarness proxy = new ProxyHarness(ProxyHarness.listenerWithRoutes("", "- {match: {prefix: \"/\"}, route: {cluster: c}}") + """
                     clusters:
                       - name: c
                         outlier_detection: {consecutive_5xx: 2}
                         endpoints: [{address: 127.0.0.1, port: %d}, {address: 127.0.0.1, port: %d}]
                     """.formatted(a.port(), b.port()), 1)) {
            for (int i = 0; i < 12; i++) proxy.get("/r" + i);
            // 10% of two endpoints rounds to the one that may always go; the other stays.
            assertEquals(1, proxy.stat("cluster.c.outlier_detection.ejections_enforced_consecutive_5xx"));
        }
    }
}
