package yastack.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@code bench/run.sh --smoke} (one workload, one round, seconds long, against the
 * nginx proxy and, when the distribution is built, yastack) and checks the shape of what
 * it writes: results.json with its keys and real measurements, the Markdown summary and
 * a PNG chart. The harness needs root (network namespace, package installs) and either
 * the tools already installed or apt-get to install them; without those it is skipped.
 */
class BenchHarnessSmokeIT {
    static final Path REPO = Path.of(System.getProperty("yastack.repo", "..")).toAbsolutePath().normalize();
    static final Path DIST = Path.of(System.getProperty("yastack.dist", "target/yastack")).toAbsolutePath();
    static final Path RUN_SH = REPO.resolve("bench/run.sh");
    static final List<String> TOOLS = List.of("nginx", "haproxy", "wrk", "h2load", "iperf3", "gnuplot", "jq", "curl");

    @TempDir
    static Path out;

    static boolean yastackBuilt;
    static String log;

    @BeforeAll
    static void runSmoke() throws Exception {
        assertTrue(Files.isRegularFile(RUN_SH), "no bench/run.sh under " + REPO);
        assertTrue(isRoot(), "bench/run.sh needs root (network namespace, apt-get, taskset); run ./test.sh as root");
        List<String> missing = TOOLS.stream().filter(t -> !onPath(t)).toList();
        assertTrue(missing.isEmpty() || onPath("apt-get"),
                "tools missing (" + missing + ") and no apt-get to install them (scripts/prerequisites.sh bench)");
        yastackBuilt = Files.isExecutable(DIST.resolve("bin/yastack"));

        ProcessBuilder pb = new ProcessBuilder("bash", RUN_SH.toString(), "--smoke", "--out", out.toString())
                .redirectErrorStream(true)
                .redirectOutput(out.resolve("smoke.log").toFile());
        pb.environment().put("YASTACK_HOME", DIST.toString());
        Process p = pb.start();
        // Installs on a fresh machine take a while; the run itself is well under a minute.
        if (!p.waitFor(600, TimeUnit.SECONDS)) {
            p.destroy();                      // run.sh traps TERM and stops its servers
            p.waitFor(20, TimeUnit.SECONDS);
            p.destroyForcibly();
            throw new AssertionError("bench/run.sh --smoke did not finish in 600 s:\n" + readLog());
        }
        log = readLog();
        assertEquals(0, p.exitValue(), "bench/run.sh --smoke failed:\n" + log);
    }

    @Test
    void resultsJsonHasItsKeys() throws Exception {
        Path results = out.resolve("results.json");
        assertTrue(Files.isRegularFile(results), "no results.json:\n" + log);
        for (String key : List.of("schema", "started", "finished", "host", "config", "pinning", "versions",
                "notes", "skipped", "measurements", "summary", "charts")) {
            assertEquals("true", jq("has(\"" + key + "\")", results), "results.json lacks " + key);
        }
        assertEquals("\"yastack-bench/1\"", jq(".schema", results));
        assertEquals("true", jq(".smoke", results));
        assertEquals("true", jq(".host.cpus > 0 and (.config.rounds >= 1) and (.config.duration_s >= 1)", results));
        assertEquals("true", jq("[.measurements[] | has(\"suite\", \"workload\", \"system\", \"workers\", \"round\","
                + " \"metric\", \"value\", \"unit\")] | all", results));
        assertEquals("true", jq("[.summary[] | .median >= .min and .median <= .max] | all", results),
                "a median outside its min-max");
    }

    @Test
    void nginxWasMeasured() throws Exception {
        Path results = out.resolve("results.json");
        assertEquals("true", jq("any(.measurements[]; .system == \"nginx\" and .metric == \"rps\" and .value > 0)", results),
                "no nginx requests/s > 0:\n" + log);
        assertEquals("true", jq("any(.measurements[]; .system == \"nginx\" and .metric == \"cpu_us_per_req\" and .value > 0)",
                results), "no CPU per request for nginx");
    }

    @Test
    void yastackWasMeasuredWhenBuilt() throws Exception {
        Path results = out.resolve("results.json");
        if (yastackBuilt) {
            // The harness's yastack config template must be accepted by the real product.
            assertEquals("true", jq("any(.measurements[]; .system == \"yastack\" and .metric == \"rps\" and .value > 0)",
                    results), "yastack built but not measured: " + jq(".skipped", results) + "\n" + log);
            assertEquals("true", jq("any(.summary[]; .system == \"yastack\" and .metric == \"rps\" and .ratio > 0)", results),
                    "no yastack/nginx ratio");
        } else {
            assertEquals("true", jq("any(.skipped[]; .system == \"yastack\" and (.reason | length > 0))", results),
                    "yastack neither measured nor skipped with a reason");
        }
    }

    @Test
    void summaryAndChartWritten() throws Exception {
        String summary = Files.readString(out.resolve("summary.md"));
        assertTrue(summary.contains("## http-keepalive"), summary);
        assertTrue(summary.contains("| nginx |"), summary);
        Path png = out.resolve("charts/http-keepalive-rps.png");
        assertTrue(Files.size(png) > 1000, "chart too small to hold bars: " + png);
        byte[] magic = Arrays.copyOf(Files.readAllBytes(png), 8);
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, magic, "not a PNG");
    }

    @Test
    void nothingLeftRunning() throws Exception {
        // Every server ran inside the run's private network namespace, which lives
        // only as long as something is in it; look for our config paths instead.
        String ps = exec("ps", "-eo", "args");
        assertTrue(ps.lines().noneMatch(l -> l.contains(out.toString())), "processes of the run still alive:\n" + ps);
    }

    private static String jq(String filter, Path file) throws Exception {
        return exec("jq", "-c", filter, file.toString()).strip();
    }

    private static String exec(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), String.join(" ", cmd) + " hung");
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + ": " + text);
        return text;
    }

    private static String readLog() throws IOException {
        Path p = out.resolve("smoke.log");
        return Files.exists(p) ? Files.readString(p) : "";
    }

    private static boolean isRoot() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("Uid:")) return line.split("\\s+")[1].equals("0");
        }
        return false;
    }

    private static boolean onPath(String tool) {
        List<String> dirs = new ArrayList<>(Arrays.asList(System.getenv().getOrDefault("PATH", "").split(":")));
        dirs.addAll(List.of("/usr/sbin", "/sbin"));
        return dirs.stream().anyMatch(d -> !d.isEmpty() && Files.isExecutable(Path.of(d, tool)));
    }
}
