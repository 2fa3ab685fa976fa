package yastack.kernel.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import org.junit.jupiter.api.Test;
import yastack.api.FlowKey;
import yastack.api.LoadBalancer;
import yastack.api.RouteDecision;
import yastack.api.Router;
import yastack.api.SteeringPolicy;
import yastack.api.WorkerSet;
import yastack.api.testkit.TestHosts;
import yastack.api.testkit.TestLbContext;
import yastack.api.testkit.TestRequest;
import yastack.api.testkit.TestStream;

class GuardedTest {
    private final PluginStatsRegistry stats = new PluginStatsRegistry();
    private final PluginErrors errors = new PluginErrors(stats);


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
    void loadBalancerOutOfRangeUnusableOrThrowingAnswersNoEndpoint() {
        TestHosts hosts = new TestHosts();
        hosts.add("a", 1);
        hosts.add("b", 1);
        hosts.add("c", 1).usable(false);
        TestLbContext ctx = new TestLbContext();
        assertEquals(-1, Guarded.loadBalancer("lb", (h, c) -> 7, errors).choose(hosts, ctx));
        assertEquals(-1, Guarded.loadBalancer("lb", (h, c) -> h.host(9).port(), errors).choose(hosts, ctx));
        assertEquals(-1, Guarded.loadBalancer("lb", (h, c) -> 2, errors).choose(hosts, ctx), "c is not usable");
        assertEquals(1, Guarded.loadBalancer("lb", (h, c) -> 1, errors).choose(hosts, ctx));
        assertEquals(-1, Guarded.loadBalancer("lb", (h, c) -> LoadBalancer.NO_HOST, errors).choose(hosts, ctx), "no host is an answer");
        assertEquals(3L, stats.snapshot().get("plugin.lb.errors"));
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
