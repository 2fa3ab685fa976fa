package yastack.dist;

import yastack.kernel.fixtures.FreePorts;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the built distribution's bin/yastack exactly as a user does. */
final class Dist {
    static final Path HOME = Path.of(System.getProperty("yastack.dist", "target/yastack")).toAbsolutePath();
    static final Path BIN = HOME.resolve("bin/yastack");

    record Result(int exit, String out, String err) {}

    private Dist() {}

    /** Runs a command to completion (bounded by 60 s). */
    static Result run(String... args) throws Exception {
        return run(List.of(), args);
    }

    static Result run(List<String> env, String... args) throws Exception {
        Process p = start(env, args);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("yastack " + String.join(" ", args) + " did not finish in 60 s");
        }
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    static Process start(List<String> env, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(BIN.toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        for (String kv : env) {
            int eq = kv.indexOf('=');
            pb.environment().put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        return pb.start();
    }

    /** Starts {@code yastack run} in the background with its output in {@code log}. */
    static Process startRun(Path config, Path log, List<String> env, String... extra) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(BIN.toString(), "run", "--config", config.toString()));
        cmd.addAll(List.of(extra));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        for (String kv : env) {
            int eq = kv.indexOf('=');
            pb.environment().put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        return pb.start();
    }

    static void awaitReady(int adminPort, Process p, Path log) throws Exception {
        HttpClient c = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) throw new AssertionError("yastack exited early:\n" + Files.readString(log));
            try {
                HttpResponse<String> r = c.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/ready"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) return;
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new AssertionError("yastack not ready in 30 s:\n" + Files.readString(log));
    }

    static void stop(Process p) throws InterruptedException {
        if (p == null) return;
        p.destroy();
        if (!p.waitFor(10, TimeUnit.SECONDS)) p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }

    static int freePort() throws IOException {
        return FreePorts.next();
    }
}
