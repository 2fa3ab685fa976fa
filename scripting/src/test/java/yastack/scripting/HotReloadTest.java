package yastack.scripting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import yastack.api.RouteDecision;
import yastack.api.ClusterCalls;
import yastack.scripting.internal.RouterImpl;

/**
 * Replaces a router script 20 times (valid and invalid versions alternating)
 * while worker threads keep routing: no request fails, every valid version
 * serves within 1 s of its write, and no invalid version ever serves.
 */
class HotReloadTest {
    @TempDir
    Path dir;

    private static String valid(int i) {
        // Valid versions import a helper module, so imports are part of each version.
        return "import {tag} from './tag.js';\nexport function route(req) { return {cluster: tag('v" + i + "')}; }\n";
    }

    private static String invalid(int i) {
        return switch ((i / 2) % 4) {
            case 0 -> "export function route(req) { return {cluster: 'bad" + i + "'}\n";                       // syntax error
            case 1 -> "export function route(req) { return {cluster: 'bad" + i + "'}; }\nthrow new Error('load');\n"; // throws at load
            case 2 -> "export function route(req) { return {clusterr: 'bad" + i + "'}; }\n";             // fails the smoke call
            default -> "export function route(req) { while (true) {} }\n";                                   // runs away in the smoke call
        };
    }

    @Test
    void twentyReplacementsUnderLoad() throws Exception {
        Fixtures.write(dir, "tag.js", "export function tag(s) { return s; }\n");
        Fixtures.write(dir, "route.js", valid(0));
        try (Scripts scripts = new Scripts(dir, Duration.ofMillis(250), ClusterCalls.NONE, new TestFileWatch().polling(Duration.ofMillis(100)))) {
            RouterImpl router = scripts.router(dir.resolve("route.js"));

            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong requests = new AtomicLong();
            AtomicLong failures = new AtomicLong();
            AtomicReference<String> badServed = new AtomicReference<>();
            Map<String, Long> firstSeen = new ConcurrentHashMap<>();
            List<Thread> workers = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            for (int t = 0; t < 2; t++) {
                Thread th = new Thread(() -> {
                    while (!stop.get() && System.nanoTime() < deadline) {
                        RouteDecision d = router.route(Fixtures.stream(), Fixtures.get("/"));
                        requests.incrementAndGet();
                        if (d instanceof RouteDecision.ToCluster c) {
                            firstSeen.putIfAbsent(c.cluster(), System.nanoTime());
                            if (c.cluster().startsWith("bad")) badServed.compareAndSet(null, c.cluster());
                        } else {
                            failures.incrementAndGet();
                        }
                    }
                }, "worker-" + t);
                th.start();
                workers.add(th);
            }

            long failedBefore = 0;
            List<Long> switchMillis = new ArrayList<>();
            try {
            for (int i = 1; i <= 20; i++) {
                boolean ok = i % 2 == 0;
                long written = System.nanoTime();
                Fixtures.write(dir, "route.js", ok ? valid(i) : invalid(i));
                if (ok) {
                    String want = "v" + i;
                    while (!firstSeen.containsKey(want) && System.nanoTime() - written < Duration.ofSeconds(5).toNanos()) Thread.sleep(5);
                    assertTrue(firstSeen.containsKey(want), want + " never served");
                    long ms = (firstSeen.get(want) - written) / 1_000_000;
                    switchMillis.add(ms);
                    assertTrue(ms < 1000, want + " took " + ms + " ms to serve");
                } else {
                    long expect = failedBefore + 1;
                    while (scripts.counter("script.route.reload_failed") < expect
                            && System.nanoTime() - written < Duration.ofSeconds(10).toNanos()) Thread.sleep(5);
                    assertEquals(expect, scripts.counter("script.route.reload_failed"), "invalid version " + i + " rejected");
                    failedBefore = expect;
                    // Still served by the previous valid version.
                    Thread.sleep(50);
                    assertTrue(firstSeen.containsKey(i == 1 ? "v0" : "v" + (i - 1)));
                }
            }
            } finally {
                stop.set(true);
                for (Thread th : workers) th.join(10_000);
            }

            assertEquals(0, failures.get(), "failed requests out of " + requests.get());
            assertEquals(null, badServed.get(), "an invalid version served");
            assertEquals(10L, scripts.counter("script.route.reload_ok"));
            assertEquals(10L, scripts.counter("script.route.reload_failed"));
            assertEquals(11, router.generation());
            assertTrue(requests.get() > 1000, "load was applied: " + requests.get());
            System.out.println("hot reload: " + requests.get() + " requests, 0 failed, switch ms " + switchMillis);
        }
    }

    @Test
    void editingAnImportedModuleReloads() throws Exception {
        Fixtures.write(dir, "lib/pick.js", "export const target = 'one';\n");
        Fixtures.write(dir, "r.js", "import {target} from './lib/pick.js';\nexport function route() { return {cluster: target}; }\n");
        try (Scripts scripts = new Scripts(dir)) {
            TestFileWatch watch = scripts.watch;
            RouterImpl r = scripts.router(dir.resolve("r.js"));
            assertEquals(List.of(dir.resolve("lib/pick.js"), dir.resolve("r.js")), watch.files("script r"));
            assertEquals("one", cluster(r));
            watch.fire();
            assertEquals(1, r.generation(), "nothing changed");
            Fixtures.write(dir, "lib/pick.js", "export const target = 'two';\n");
            watch.fire();
            assertEquals(2, r.generation());
            assertEquals("two", cluster(r));
            Fixtures.write(dir, "lib/pick.js", "export const target = ;\n");
            watch.fire();
            watch.fire();
            assertEquals(1L, scripts.counter("script.r.reload_failed"), "the same broken content is not retried");
            assertEquals(2, r.generation());
            assertEquals("two", cluster(r));
        }
    }

    @Test
    void theWatchFollowsWhatTheScriptImports() throws Exception {
        Fixtures.write(dir, "lib/a.js", "export const target = 'a';\n");
        Fixtures.write(dir, "lib/b.js", "export const target = 'b';\n");
        Fixtures.write(dir, "r.js", importing("./lib/a.js"));
        try (Scripts scripts = new Scripts(dir)) {
            TestFileWatch watch = scripts.watch;
            RouterImpl r = scripts.router(dir.resolve("r.js"));
            assertEquals(List.of(dir.resolve("lib/a.js"), dir.resolve("r.js")), watch.files("script r"));

            Fixtures.write(dir, "r.js", importing("./lib/b.js"));
            watch.fire();
            assertEquals("b", cluster(r));
            assertEquals(List.of(dir.resolve("lib/b.js"), dir.resolve("r.js")), watch.files("script r"), "the old watch closed");

            // A rejected version's files are watched too: creating the module it missed is a change.
            Fixtures.write(dir, "r.js", importing("./lib/c.js"));
            watch.fire();
            assertEquals(1L, scripts.counter("script.r.reload_failed"));
            assertTrue(watch.files("script r").containsAll(List.of(dir.resolve("lib/b.js"), dir.resolve("lib/c.js"))),
                    watch.files("script r").toString());
            assertEquals("b", cluster(r));

            Fixtures.write(dir, "lib/c.js", "export const target = 'c';\n");
            watch.fire();
            assertEquals("c", cluster(r));
            assertEquals(3, r.generation());
            assertEquals(List.of(dir.resolve("lib/c.js"), dir.resolve("r.js")), watch.files("script r"));

            r.close();
            assertEquals(List.of(), watch.open("script r"), "closing the router stops watching");
        }
    }

    @Test
    void anEditWhileTheWatchSwitchesIsNotLost() throws Exception {
        Fixtures.write(dir, "lib/a.js", "export const target = 'a';\n");
        Fixtures.write(dir, "lib/b.js", "export const target = 'b';\n");
        Fixtures.write(dir, "r.js", importing("./lib/a.js"));
        try (Scripts scripts = new Scripts(dir)) {
            RouterImpl r = scripts.router(dir.resolve("r.js"));
            Fixtures.write(dir, "r.js", importing("./lib/b.js"));
            // Lands after the reload read b.js and after the new watch took its snapshot: only a second look sees it.
            scripts.watch.onNextWatch(() -> Fixtures.write(dir, "lib/b.js", "export const target = 'b2';\n"));
            scripts.watch.fire();
            assertEquals("b2", cluster(r));
            assertEquals(3, r.generation());
            assertEquals(0, scripts.counter("script.r.reload_failed"), "the old watch closed after, not during, the reload");
        }
    }

    private static String importing(String module) {
        return "import {target} from '" + module + "';\nexport function route() { return {cluster: target}; }\n";
    }

    private static String cluster(RouterImpl r) {
        return ((RouteDecision.ToCluster) r.route(Fixtures.stream(), Fixtures.get("/"))).cluster();
    }
}
