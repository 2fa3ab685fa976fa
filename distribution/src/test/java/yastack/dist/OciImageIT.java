package yastack.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;
import yastack.kernel.fixtures.Needs;

/**
 * The OCI image the build made ({@code mvn -Pimage}, which ./test.sh turns on as root), run
 * the way a container runtime runs it: unpacked by umoci into a runtime bundle and started by
 * crun in namespaces of its own, as the image's non-root user on a read-only root, with the
 * quickstart config mounted in. curl reaches it inside the container's network namespace;
 * SIGTERM drains it and it exits 0.
 */
class OciImageIT {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** Compressed layers: Debian minbase with the DPDK runtime, the jlinked JDK, the distribution. */
    private static final long SIZE_BUDGET = 150L << 20;

    private final String id = "yastack-it-" + ProcessHandle.current().pid() + "-" + System.nanoTime() % 100_000;
    private Path work;
    private Process container;

    @AfterEach
    void tearDown() throws Exception {
        if (container != null && container.isAlive()) {
            run("crun", "kill", id, "KILL");
            container.waitFor(10, TimeUnit.SECONDS);
        }
        run("crun", "delete", "--force", id);
        if (work != null) {
            try (Stream<Path> s = Files.walk(work)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void theImageServesTheQuickstartAsANonRootUserAndDrainsOnSigterm() throws Exception {
        Needs.rootAnd("running the OCI image", "umoci", "crun", "nsenter", "unshare", "curl");
        Path image;
        try (Stream<Path> s = Files.list(Dist.HOME.getParent())) {
            image = s.filter(p -> p.getFileName().toString().matches("yastack-.*-oci\\.tar")).findFirst()
                    .orElseThrow(() -> new AssertionError("no yastack-VERSION-oci.tar in " + Dist.HOME.getParent()
                            + ": build it as root with mvn -Pimage package (./test.sh does)"));
        }
        assertTrue(Files.size(image) < SIZE_BUDGET, image + " is " + (Files.size(image) >> 20) + " MiB, over the budget");
        work = Files.createTempDirectory("yastack-oci");
        Path layout = Files.createDirectories(work.resolve("layout"));
        Path bundle = work.resolve("bundle");
        exec("tar", "-xf", image.toString(), "-C", layout.toString());
        exec("umoci", "unpack", "--image", layout + ":yastack", bundle.toString());

        String modules = Files.readString(bundle.resolve("rootfs/opt/java/release"));
        assertTrue(modules.contains("jdk.httpserver") && !modules.contains("jdk.compiler") && !modules.contains("jdk.jshell"),
                "the runtime is jlinked to the modules the server uses: " + modules);
        assertTrue(Files.exists(bundle.resolve("rootfs/usr/lib/x86_64-linux-gnu/librte_ethdev.so.23")),
                "the DPDK runtime the userspace flavor loads is in the image");

        ObjectNode config = (ObjectNode) JSON.readTree(bundle.resolve("config.json").toFile());
        JsonNode user = config.get("process").get("user");
        assertEquals(10001, user.get("uid").asInt(), "the image runs as the yastack user");
        forTheTest(config);
        Files.writeString(bundle.resolve("config.json"), JSON.writeValueAsString(config));

        Path log = work.resolve("container.log");
        // crun refuses cgroup v1+v2 "hybrid" hosts that enable a v2 controller; the container
        // needs no cgroup, so crun runs with the v2 mount hidden in a mount namespace of its own.
        container = new ProcessBuilder("unshare", "--mount", "--propagation", "private", "sh", "-c",
                "if [ -d /sys/fs/cgroup/unified ]; then umount -l /sys/fs/cgroup/unified; fi; "
                        + "exec crun --cgroup-manager=disabled run --bundle \"$0\" \"$1\"", bundle.toString(), id)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long pid = awaitRunning(log);

        assertEquals(200, awaitReady(pid, log));
        assertEquals("ok\n200", curl(pid, "-w", "%{http_code}", "http://127.0.0.1:8080/healthz"));
        assertEquals("hello from JavaScript", curl(pid, "http://127.0.0.1:8080/js").strip(), "the quickstart's script runs");
        String status = Files.readString(Path.of("/proc/" + pid + "/status"));
        assertTrue(status.lines().anyMatch(l -> l.matches("Uid:\\s+10001\\s+10001\\s+10001\\s+10001")), status);

        exec("crun", "kill", id, "TERM");
        assertTrue(container.waitFor(30, TimeUnit.SECONDS), "the container exits after SIGTERM:\n" + Files.readString(log));
        String out = Files.readString(log);
        assertEquals(0, container.exitValue(), out);
        assertTrue(out.contains("SIGTERM: draining") && out.contains("drain: done"), out);
        assertTrue(out.contains("exiting with code 0; totals:") && out.contains("http.web.downstream_rq_total=2"), out);
        assertTrue(out.contains("\"path\":\"/healthz\"") && out.contains("\"path\":\"/js\""), "access log lines flushed: " + out);
    }

    /** No terminal; read-only root with a tmpfs /tmp; the quickstart (examples/) mounted at /etc/yastack. */
    private static void forTheTest(ObjectNode config) {
        ObjectNode process = (ObjectNode) config.get("process");
        process.put("terminal", false);
        ArrayNode args = process.putArray("args");
        for (String a : List.of("/opt/yastack/bin/yastack", "run", "--config", "/etc/yastack/quickstart/yastack.yaml",
                "--plugins", "/etc/yastack/plugins")) {
            args.add(a);
        }
        ((ObjectNode) config.get("root")).put("readonly", true);
        ArrayNode mounts = (ArrayNode) config.get("mounts");
        for (int i = mounts.size() - 1; i >= 0; i--) {
            if (mounts.get(i).get("destination").asString().equals("/sys/fs/cgroup")) mounts.remove(i);
        }
        ObjectNode quickstart = mounts.addObject().put("destination", "/etc/yastack").put("type", "bind")
                .put("source", Dist.HOME.resolve("examples").toString());
        quickstart.putArray("options").add("rbind").add("ro");
        ObjectNode tmp = mounts.addObject().put("destination", "/tmp").put("type", "tmpfs").put("source", "tmpfs");
        tmp.putArray("options").add("nosuid").add("nodev").add("mode=1777").add("size=65536k");
        ((ObjectNode) config.get("linux")).remove("resources");
    }

    private long awaitRunning(Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (!container.isAlive()) throw new AssertionError("crun exited " + container.exitValue() + ":\n" + Files.readString(log));
            Result state = run("crun", "state", id);
            if (state.exit() == 0) {
                JsonNode s = JSON.readTree(state.out());
                if ("running".equals(s.get("status").asString())) return s.get("pid").asLong();
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the container is not running after 20 s:\n" + Files.readString(log));
    }

    private int awaitReady(long pid, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!container.isAlive()) throw new AssertionError("the container exited:\n" + Files.readString(log));
            Result r = run(curlArgs(pid, "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:9901/ready"));
            if (r.out().equals("200")) return 200;
            Thread.sleep(200);
        }
        throw new AssertionError("not ready in 60 s:\n" + Files.readString(log));
    }

    /** curl inside the container's network namespace. */
    private static String curl(long pid, String... args) throws Exception {
        Result r = run(curlArgs(pid, args));
        assertEquals(0, r.exit(), r.err());
        return r.out();
    }

    private static String[] curlArgs(long pid, String... args) {
        List<String> cmd = new ArrayList<>(List.of("nsenter", "--target", Long.toString(pid), "--net", "curl", "-sS", "--max-time", "10"));
        cmd.addAll(List.of(args));
        return cmd.toArray(String[]::new);
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
