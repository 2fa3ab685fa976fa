package yastack.kernel.dataplane;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import yastack.kernel.io.support.Shell;

/** Kernel-side helpers for the TAP and DPDK tests: unique names, ping and curl checks. */
final class NetSetup {
    private NetSetup() {
    }

    /** Short unique suffix (interface names stop at 15 bytes). */
    static String suffix() {
        return Long.toString(ProcessHandle.current().pid() % 100000) + Integer.toString((int) (System.nanoTime() & 0xff), 36);
    }

    /** A third octet unlikely to collide with other test runs on the machine. */
    static int subnet() {
        return 100 + (int) (ProcessHandle.current().pid() % 150);
    }

    static void requireRootAnd(String... commands) {
        assumeTrue(Shell.isRoot(), "needs root to create TAP/veth devices and namespaces");
        for (String c : commands) {
            assumeTrue(Shell.hasCommand(c), "needs the " + c + " command");
        }
    }

    /** Packets received out of 20 by {@code ping -c 20 -i 0.05}, run with an optional prefix (e.g. ip netns exec). */
    static int ping20(String target, String... prefix) {
        String[] cmd = concat(prefix, "ping", "-c", "20", "-i", "0.05", "-W", "2", target);
        Shell.Result r = Shell.run(30, cmd);
        var m = java.util.regex.Pattern.compile("(\\d+) received").matcher(r.output());
        if (!m.find()) {
            throw new AssertionError("ping output: " + r.output());
        }
        return Integer.parseInt(m.group(1));
    }

    /** Fetches url with curl into a temporary file and returns its SHA-256. */
    static String curlSha256(String url, String... prefix) throws Exception {
        Path out = Files.createTempFile("ysdp", ".bin");
        try {
            Shell.Result r = Shell.run(40, concat(prefix, "curl", "-sS", "--max-time", "30", "-o", out.toString(), url));
            if (r.exit() != 0) {
                throw new AssertionError("curl " + url + " -> " + r.exit() + ": " + r.output());
            }
            return BlobServer.sha256(Files.readAllBytes(out));
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /**
     * A proxy config with one DPDK interface ({@code vdev}, address {@code ip}/24, the given
     * {@code stack:} extras) and one userspace HTTP listener {@code listener} on {@code ip}:8080
     * routing everything to a host upstream on 127.0.0.1:{@code upstreamPort}.
     */
    static String userspaceProxyYaml(String stackExtras, String vdev, String ip, String listener, int upstreamPort) {
        return """
                stack:
                %s  interfaces:
                    - {name: dp0, backend: dpdk, vdev: "%s", ip: %s/24}
                listeners:
                  - name: %s
                    address: %s
                    port: 8080
                    flavor: userspace
                    http:
                      route_config:
                        virtual_hosts: [{name: all, domains: ["*"], routes: [{match: {prefix: "/"}, route: {cluster: up, timeout: 0s}}]}]
                clusters:
                  - {name: up, endpoints: [{address: 127.0.0.1, port: %d}]}
                """.formatted(stackExtras.isEmpty() ? "" : "  " + stackExtras + "\n", vdev, ip, listener, ip, upstreamPort);
    }

    static String[] concat(String[] a, String... b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
