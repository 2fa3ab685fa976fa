package yastack.kernel.io.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/** Test-only helpers that set up namespaces, veths and addresses with iproute2. */
public final class Shell {
    private Shell() {
    }

    public record Result(int exit, String output) {
    }

    public static boolean isRoot() {
        try {
            return Files.readString(Path.of("/proc/self/status")).lines()
                    .filter(l -> l.startsWith("Uid:")).findFirst()
                    .map(l -> l.split("\\s+")[1].equals("0")).orElse(false);
        } catch (IOException e) {
            return false;
        }
    }

    public static boolean hasCommand(String cmd) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, cmd))) {
                return true;
            }
        }
        return false;
    }

    /** Runs a command with a time limit; returns exit code and merged output. */
    public static Result run(long timeoutSeconds, String... cmd) {
        try {
            Process p = new ProcessBuilder(List.of(cmd)).redirectErrorStream(true).start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
                return new Result(-1, "timed out: " + String.join(" ", cmd));
            }
            return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new Result(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted");
        }
    }

    /** Runs a command that must succeed. */
    public static String must(String... cmd) {
        Result r = run(20, cmd);
        if (r.exit != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " -> " + r.exit + ": " + r.output);
        }
        return r.output;
    }

    /** Runs a cleanup command, ignoring failure. */
    public static void quietly(String... cmd) {
        run(10, cmd);
    }

    /** A short random suffix for interface and namespace names (names must stay <= 15 bytes). */
    public static String uniqueSuffix() {
        return Long.toString(ProcessHandle.current().pid() % 1000, 36)
                + Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36 * 36), 36);
    }

    /** A third octet x such that 10.213.x.0/24 is not in use on the host. */
    public static int freeSubnet() {
        String addrs = run(5, "ip", "-4", "addr").output() + run(5, "ip", "-4", "route").output();
        for (int tries = 0; tries < 200; tries++) {
            int x = 1 + ThreadLocalRandom.current().nextInt(254);
            if (!addrs.contains("10.213." + x + ".")) {
                return x;
            }
        }
        throw new IllegalStateException("no free 10.213.x.0/24 subnet");
    }
}
