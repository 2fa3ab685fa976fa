package yastack.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import yastack.proxy.fixtures.TestUpstream;

/**
 * The README's "Running under a control plane" steps, as a user takes them in the built
 * distribution: the example control plane (examples/xds, a standalone Maven project on
 * java-control-plane, a named module) is built and started on the module path with the
 * README's command, then
 * {@code bin/yastack run --config examples/xds/bootstrap.yaml}; requests follow what it pushes,
 * and an endpoint change typed on its standard input re-routes them.
 *
 * <p>Maven runs offline ({@code -o}) on the build's local repository: ./test.sh fetches the
 * example's dependencies and plugins before the build (see there why).
 */
class XdsExampleIT {
    /** The example's fixed addresses: its control plane, the pushed listener, the bootstrap's admin. */
    private static final int CONTROL_PLANE = 18000;
    private static final int LISTENER = 8080;
    private static final int ADMIN = 9901;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static void requireFree(int... ports) {
        List<Integer> taken = new ArrayList<>();
        for (int p : ports) {
            try (ServerSocket s = new ServerSocket(p, 1, InetAddress.getLoopbackAddress())) {
                s.setReuseAddress(true);
            } catch (IOException e) {
                taken.add(p);
            }
        }
        if (!taken.isEmpty()) throw new AssertionError("the example uses fixed ports; these are taken on 127.0.0.1: " + taken);
    }

    private static void awaitLine(Process p, Path log, String line, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!Files.readString(log).contains(line)) {
            if (!p.isAlive()) throw new AssertionError("the example control plane exited:\n" + Files.readString(log));
            if (System.nanoTime() > deadline) throw new AssertionError("no '" + line + "' in " + seconds + " s:\n" + Files.readString(log));
            Thread.sleep(100);
        }
    }

    private Set<String> upstreams(int n) throws Exception {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < n; i++) {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + LISTENER + "/hello"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            seen.add(r.statusCode() == 200 ? r.headers().firstValue("x-upstream").orElse("?") : "status " + r.statusCode());
        }
        return seen;
    }

    @Test
    void theExampleControlPlaneDrivesTheDistribution() throws Exception {
        String repo = System.getProperty("yastack.m2");
        if (repo == null || !Files.isDirectory(Path.of(repo))) {
            throw new AssertionError("the build's local Maven repository (system property yastack.m2) is needed; got " + repo);
        }
        requireFree(CONTROL_PLANE, LISTENER, ADMIN);
        Path dir = Files.createTempDirectory("yastack-xds-example");
        Path cpLog = dir.resolve("control-plane.log");
        Path proxyLog = dir.resolve("yastack.log");
        Process cp = null;
        Process proxy = null;
        try (TestUpstream one = new TestUpstream("one"); TestUpstream two = new TestUpstream("two")) {
            // The README's command, with the build's repository and offline.
            cp = new ProcessBuilder("mvn", "-B", "-o", "-q", "-Dmaven.repo.local=" + repo, "-f", "examples/xds/pom.xml",
                    "compile", "exec:exec", "-Dexec.args=127.0.0.1:" + one.port())
                    .directory(Dist.HOME.toFile()).redirectErrorStream(true).redirectOutput(cpLog.toFile()).start();
            awaitLine(cp, cpLog, "control plane on 127.0.0.1:" + CONTROL_PLANE, 180);

            proxy = Dist.startRun(Dist.HOME.resolve("examples/xds/bootstrap.yaml"), proxyLog, List.of(), "--workers", "1");
            Dist.awaitReady(ADMIN, proxy, proxyLog);
            assertEquals(Set.of("one"), upstreams(3), "the pushed listener, routes, cluster and endpoints serve");
            awaitLine(cp, cpLog, "ACK  ClusterLoadAssignment version 1", 10);

            OutputStream commands = cp.getOutputStream();
            commands.write(("endpoints 127.0.0.1:" + two.port() + "\n").getBytes(StandardCharsets.UTF_8));
            commands.flush();
            awaitLine(cp, cpLog, "ACK  ClusterLoadAssignment version 2", 20);
            assertEquals(Set.of("two"), upstreams(3), "the endpoint change typed at the control plane re-routes");
            assertTrue(Files.readString(proxyLog).contains("xds: initial config applied"), Files.readString(proxyLog));
        } finally {
            Dist.stop(proxy);
            if (cp != null) {
                cp.descendants().forEach(ProcessHandle::destroy);
                Dist.stop(cp);
            }
        }
    }
}
