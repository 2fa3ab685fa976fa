package yastack.kernel.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.List;
import org.junit.jupiter.api.Test;
import yastack.api.FlowKey;
import yastack.api.LoadBalancer;
import yastack.api.RouteDecision;
import yastack.api.Router;
import yastack.api.SteeringPolicy;
import yastack.api.UpstreamHost;
import yastack.api.WorkerSet;
import yastack.api.testkit.TestRequest;
import yastack.api.testkit.TestStream;

class GuardedTest {
    private final PluginStatsRegistry stats = new PluginStatsRegistry();
    private final PluginErrors errors = new PluginErrors(stats);

    record Host(String address, int port, int weight, int activeRequests) implements UpstreamHost {}

    @Test
    void routerFailureBecomes500() {
        Router r = Guarded.router("r", (s, req) -> {
            throw new IllegalStateException("bug");
        }, errors);
        RouteDecision d = r.route(new TestStream(), new TestRequest("GET", "/"));
        assertEquals(500, assertInstanceOf(RouteDecision.Respond.class, d).reply().status());
        Router nul = Guarded.router("n", (s, req) -> null, errors);
        assertInstanceOf(RouteDecision.Respond.class, nul.route(new TestStream(), new TestRequest("GET", "/")));
        assertEquals(1L, stats.snapshot().get("plugin.r.errors"));
        assertEquals(1L, stats.snapshot().get("plugin.n.errors"));
    }

    @Test
    void loadBalancerOutOfRangeOrThrowingAnswersNoEndpoint() {
        List<Host> hosts = List.of(new Host("a", 1, 1, 0), new Host("b", 1, 1, 0));
        assertEquals(-1, Guarded.loadBalancer("lb", (h, c) -> 7, errors).choose(hosts, null));
        assertEquals(-1, Guarded.loadBalancer("lb", (h, c) -> h.get(9).port(), errors).choose(hosts, null));
        assertEquals(1, Guarded.loadBalancer("lb", (h, c) -> 1, errors).choose(hosts, null));
        assertEquals(2L, stats.snapshot().get("plugin.lb.errors"));
    }

    @Test
    void steeringFailureFallsBackToFirstLiveWorker() {
        WorkerSet ws = new WorkerSet() {
            @Override
            public int size() {
                return 3;
            }

            @Override
            public boolean isLive(int w) {
                return w != 0;
            }

            @Override
            public int liveCount() {
                return 2;
            }

            @Override
            public int liveWorker(int n) {
                return n + 1;
            }
        };
        SteeringPolicy bad = Guarded.steering("s", (f, w) -> {
            throw new ArithmeticException("/ by zero");
        }, errors);
        assertEquals(1, bad.selectWorker(new FlowKey.Ipv4(6, 1, 2, 3, 4), ws));
        assertEquals(1, Guarded.steering("s", (f, w) -> -5, errors).selectWorker(new FlowKey.Ipv4(6, 1, 2, 3, 4), ws));
        assertEquals(2L, stats.snapshot().get("plugin.s.errors"));
    }
}
