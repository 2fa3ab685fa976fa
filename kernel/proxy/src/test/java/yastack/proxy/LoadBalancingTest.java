package yastack.proxy;

import yastack.proxy.fixtures.ProxyHarness;
import yastack.proxy.fixtures.TestUpstream;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Each LB policy's distribution through the real proxy, with statistical bounds. */
class LoadBalancingTest {
    static List<TestUpstream> ups;
    static ProxyHarness proxy;

    @BeforeAll
    static void start() throws Exception {
        ups = List.of(new TestUpstream("u0"), new TestUpstream("u1"), new TestUpstream("u2"));
        String eps = "[{address: 127.0.0.1, port: %d, weight: 1}, {address: 127.0.0.1, port: %d, weight: 2}, {address: 127.0.0.1, port: %d, weight: 1}]"
                .formatted(ups.get(0).port(), ups.get(1).port(), ups.get(2).port());
        String equal = "[{address: 127.0.0.1, port: %d}, {address: 127.0.0.1, port: %d}, {address: 127.0.0.1, port: %d}]"
                .formatted(ups.get(0).port(), ups.get(1).port(), ups.get(2).port());
        StringBuilder routes = new StringBuilder();
        StringBuilder clusters = new StringBuilder();
        for (String p : List.of("round_robin", "least_request", "random", "ring_hash", "maglev")) {
            routes.append("              - match: {prefix: \"/").append(p).append("\"}\n")
                  .append("                route: {cluster: ").append(p).append("}\n");
            clusters.append("  - {name: ").append(p).append(", lb_policy: ").append(p)
                    .append(p.endsWith("hash") || p.equals("maglev") ? ", hash_policy: {header: x-user}" : "")
                    .append(", endpoints: ").append(eps).append("}\n");
        }
        routes.append("              - match: {prefix: \"/cookie\"}\n                route: {cluster: bycookie}\n");
        clusters.append("  - {name: bycookie, lb_policy: ring_hash, hash_policy: {cookie: session}, endpoints: ").append(equal).append("}\n");
        routes.append("              - match: {prefix: \"/srcip\"}\n                route: {cluster: byip}\n");
        clusters.append("  - {name: byip, lb_policy: maglev, endpoints: ").append(equal).append("}\n");
        proxy = new ProxyHarness("""
                listeners:
                  - name: web
                    address: 127.0.0.1
                    port: ${PORT}
                    http:
                      route_config:
                        virtual_hosts:
                          - name: all
                            domains: ["*"]
                            routes:
                %sclusters:
                %s""".formatted(routes, clusters), 1);
    }

    @AfterAll
    static void stop() {
        proxy.close();
        ups.forEach(TestUpstream::close);
    }

    private static Map<String, Integer> spread(String path, int n, String... headers) throws Exception {
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < n; i++) {
            String body = proxy.get(path, headers).body();
            String who = body.substring(body.indexOf("upstream=") + 9, body.indexOf('\n'));
            counts.merge(who, 1, Integer::sum);
        }
        return counts;
    }

    @Test
    void roundRobinIsExactByWeight() throws Exception {
        Map<String, Integer> c = spread("/round_robin", 400);
        assertEquals(100, c.get("u0"), c.toString());
        assertEquals(200, c.get("u1"), c.toString());
        assertEquals(100, c.get("u2"), c.toString());
    }

    @Test
    void randomFollowsWeights() throws Exception {
        Map<String, Integer> c = spread("/random", 800);
        // expected 200/400/200, sd ~ 12-14: allow 5 sd
        assertTrue(Math.abs(c.getOrDefault("u1", 0) - 400) < 75, c.toString());
        assertTrue(Math.abs(c.getOrDefault("u0", 0) - 200) < 65, c.toString());
        assertTrue(Math.abs(c.getOrDefault("u2", 0) - 200) < 65, c.toString());
    }

    @Test
    void leastRequestSpreadsSequentialLoadByWeight() throws Exception {
        Map<String, Integer> c = spread("/least_request", 600);
        // With one request in flight at a time, P2C degenerates to weighted random picks.
        assertTrue(c.size() == 3, c.toString());
        assertTrue(c.get("u1") > c.get("u0") && c.get("u1") > c.get("u2"), c.toString());
    }

    @Test
    void ringHashAndMaglevAreStickyPerKeyAndSpreadAcrossKeys() throws Exception {
        for (String policy : List.of("ring_hash", "maglev")) {
            Map<String, Integer> perEndpoint = new HashMap<>();
            for (int user = 0; user < 300; user++) {
                Set<String> seen = new HashSet<>();
                for (int rep = 0; rep < (user < 20 ? 3 : 1); rep++) {
                    String body = proxy.get("/" + policy, "x-user", "user-" + user).body();
                    seen.add(body.substring(body.indexOf("upstream=") + 9, body.indexOf('\n')));
                }
                assertEquals(1, seen.size(), policy + " user-" + user + " moved: " + seen);
                perEndpoint.merge(seen.iterator().next(), 1, Integer::sum);
            }
            // weights 1:2:1 over 300 keys -> ~75/150/75; hashing is lumpier than random: allow wide bounds
            assertTrue(perEndpoint.getOrDefault("u1", 0) > 95 && perEndpoint.getOrDefault("u1", 0) < 205, policy + " " + perEndpoint);
            assertTrue(perEndpoint.getOrDefault("u0", 0) > 35 && perEndpoint.getOrDefault("u2", 0) > 35, policy + " " + perEndpoint);
        }
    }

    @Test
    void hashOnCookieAndSourceIp() throws Exception {
        Set<String> cookieTargets = new HashSet<>();
        for (int s = 0; s < 60; s++) {
            String first = null;
            for (int rep = 0; rep < 2; rep++) {
                String body = proxy.get("/cookie", "cookie", "a=b; session=s" + s).body();
                String who = body.substring(body.indexOf("upstream=") + 9, body.indexOf('\n'));
                if (first == null) first = who;
                assertEquals(first, who);
            }
            cookieTargets.add(first);
        }
        assertEquals(3, cookieTargets.size(), "60 sessions should reach all endpoints");
        Set<String> ipTargets = new HashSet<>(spread("/srcip", 30).keySet());
        assertEquals(1, ipTargets.size(), "one client IP sticks to one endpoint: " + ipTargets);
    }
}
