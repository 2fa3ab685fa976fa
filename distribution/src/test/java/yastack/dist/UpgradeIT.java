package yastack.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import yastack.kernel.fixtures.Needs;

/**
 * {@code yastack run --upgrade-from}: a new bin/yastack binds beside the running one with
 * SO_REUSEPORT and tells it to drain, while clients keep sending requests; not one fails.
 *
 * <p>Runs in a network namespace of its own, where {@code net.ipv4.tcp_migrate_req} is on:
 * the kernel moves connections still waiting in the old process's accept queue to the new
 * one's when the old listener closes (README, "Zero-downtime upgrade", says to set it).
 */
class UpgradeIT {
    private static final int PORT = 8080;
    private static final int ADMIN = 9901;
    /** Each batch is one curl making this many requests; a batch is bounded in time by curl's --max-time. */
    private static final int BATCH = 100;

    private final String ns = "ysup" + ProcessHandle.current().pid() % 100_000 + "x" + System.nanoTime() % 1000;
    private final List<Process> started = new ArrayList<>();
    private Path dir;

    @AfterEach
    void tearDown() throws Exception {
        for (Process p : started) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        run("ip", "netns", "del", ns);
    }

    @Test
    void aNewProcessTakesOverUnderLoadWithoutAFailedRequest() throws Exception {
        namespace(true);
        Process old = start("v1");
        awaitServing(old, "v1");

        // Two clients, each a loop of curl batches (keep-alive within a batch, new connections
        // whenever a draining process answers "Connection: close"), bounded by a 90 s deadline.
        AtomicBoolean stop = new AtomicBoolean();
        Map<String, AtomicInteger> answers = new ConcurrentHashMap<>();
        List<String> failures = new ArrayList<>();
        List<Thread> clients = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        for (int c = 0; c < 2; c++) {
            clients.add(Thread.ofPlatform().start(() -> {
                try {
                    while (!stop.get() && System.nanoTime() < deadline) {
                        Result r = run("ip", "netns", "exec", ns, "curl", "-s", "--max-time", "10", "-w", " %{http_code}\\n",
                                "http://127.0.0.1:" + PORT + "/load/[1-" + BATCH + "]");
                        for (String line : r.out().lines().toList()) {
                            if (line.matches("v[12] 200")) {
                                answers.computeIfAbsent(line.substring(0, 2), k -> new AtomicInteger()).incrementAndGet();
                            } else {
                                synchronized (failures) {
                                    failures.add(line);
                                }
                            }
                        }
                        if (r.exit() != 0) {
                            synchronized (failures) {
                                failures.add("curl exit " + r.exit() + ": " + r.err().strip());
                            }
                        }
                    }
                } catch (Exception e) {
                    synchronized (failures) {
                        failures.add(e.toString());
                    }
                }
            }));
        }
        Thread.sleep(1000);
        Process next = start("v2", "--upgrade-from", "127.0.0.1:" + ADMIN);
        assertTrue(old.waitFor(60, TimeUnit.SECONDS), "the old process drains and exits:\n" + log("v1"));
        assertEquals(0, old.exitValue(), log("v1"));
        awaitServing(next, "v2");
        Thread.sleep(1000); // the clients keep going against the new process alone
        stop.set(true);
        for (Thread t : clients) t.join(TimeUnit.SECONDS.toMillis(30));

        Map<String, Integer> counts = new TreeMap<>();
        answers.forEach((k, v) -> counts.put(k, v.get()));
        assertEquals(List.of(), failures, "failed requests during the upgrade; answered: " + counts);
        assertTrue(counts.getOrDefault("v1", 0) > 0 && counts.getOrDefault("v2", 0) > 0, "both processes served: " + counts);
        String oldLog = log("v1");
        assertTrue(oldLog.contains("SIGTERM: draining") && oldLog.contains("drain: done"), oldLog);
        String newLog = log("v2");
        assertTrue(newLog.contains("upgrade: serving beside pid " + old.pid()), newLog);
        assertTrue(newLog.contains("upgrade: pid " + old.pid() + " has exited"), newLog);
        assertTrue(newLog.contains("is still held"), "the new process waited for the admin address: " + newLog);
        assertTrue(!newLog.contains("tcp_migrate_req"), "no warning where connections migrate: " + newLog);
    }

    @Test
    void userspaceInterfacesAreNotTakenOver() throws Exception {
        Dist.Result r = Dist.run("run", "--config", Dist.HOME.resolve("examples/quickstart/yastack-userspace.yaml").toString(),
                "--upgrade-from", "127.0.0.1:1");
        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue(r.err().contains("--upgrade-from takes over host listeners only; this config has userspace interfaces"), r.err());
    }

    /** The network namespace the test runs in, with {@code net.ipv4.tcp_migrate_req} as asked. */
    private void namespace(boolean migrate) throws Exception {
        Needs.rootAnd("upgrading in a network namespace", "ip", "curl");
        exec("ip", "netns", "add", ns);
        exec("ip", "-n", ns, "link", "set", "lo", "up");
        exec("ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv4.tcp_migrate_req=" + (migrate ? 1 : 0));
        dir = Files.createTempDirectory("yastack-upgrade");
    }

    @Test
    void whereConnectionsDoNotMigrateTheUpgradeSaysSo() throws Exception {
        namespace(false);
        Process old = start("v1");
        awaitServing(old, "v1");
        Process next = start("v2", "--upgrade-from", "127.0.0.1:" + ADMIN);
        assertTrue(old.waitFor(60, TimeUnit.SECONDS), log("v1"));
        assertEquals(0, old.exitValue(), log("v1"));
        awaitServing(next, "v2");
        assertTrue(log("v2").contains("upgrade: net.ipv4.tcp_migrate_req is 0: connections waiting in the old process's accept queue"),
                log("v2"));
    }

    /** Starts bin/yastack in the namespace with a config whose every answer is {@code version}. */
    private Process start(String version, String... extra) throws IOException {
        Path cfg = dir.resolve(version + ".yaml");
        Files.writeString(cfg, """
                admin: {address: 127.0.0.1, port: %d}
                drain: {delay: 1s, timeout: 10s}
                listeners:
                  - name: web
                    address: 127.0.0.1
                    port: %d
                    http:
                      route_config:
                        virtual_hosts: [{name: all, domains: ["*"], routes: [{match: {prefix: "/"}, direct_response: {status: 200, body: "%s"}}]}]
                """.formatted(ADMIN, PORT, version));
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns, Dist.BIN.toString(), "run", "--config", cfg.toString(),
                "--workers", "2"));
        cmd.addAll(List.of(extra));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve(version + ".log").toFile()).start();
        started.add(p);
        return p;
    }

    private String log(String version) throws IOException {
        return Files.readString(dir.resolve(version + ".log"));
    }

    /** Waits until the admin API in the namespace is answered by {@code p} and it is ready. */
    private void awaitServing(Process p, String version) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) throw new AssertionError(version + " exited " + p.exitValue() + ":\n" + log(version));
            Result info = run("ip", "netns", "exec", ns, "curl", "-s", "--max-time", "2", "http://127.0.0.1:" + ADMIN + "/server_info");
            Result ready = run("ip", "netns", "exec", ns, "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "2",
                    "http://127.0.0.1:" + ADMIN + "/ready");
            if (info.out().matches("(?s).*\"pid\"\\s*:\\s*" + p.pid() + "\\b.*") && ready.out().equals("200")) return;
            Thread.sleep(100);
        }
        throw new AssertionError(version + " is not serving the admin API after 60 s:\n" + log(version));
    }

    record Result(int exit, String out, String err) {}

    private static Result run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", cmd) + " did not finish in 60 s");
        }
        return new Result(p.exitValue(), out, err);
    }

    private static void exec(String... cmd) throws Exception {
        Result r = run(cmd);
        assertEquals(0, r.exit(), String.join(" ", cmd) + ": " + r.err() + r.out());
    }
}
