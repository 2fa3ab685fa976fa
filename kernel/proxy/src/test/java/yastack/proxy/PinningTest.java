package yastack.proxy;

import yastack.proxy.fixtures.Engines;
import yastack.proxy.fixtures.ProxyHarness;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import yastack.config.ConfigLoader;

/** stack.cores pins worker N to the N-th listed CPU (read back from the kernel). */
class PinningTest {
    @Test
    void workersRunOnTheConfiguredCores() throws Exception {
        int cpus = Runtime.getRuntime().availableProcessors();
        assumeTrue(cpus >= 2, "needs two CPUs to tell pinned from unpinned");
        String yaml = """
                stack: {cores: [%d, 0]}
                listeners:
                  - name: web
                    address: 127.0.0.1
                    port: %d
                    http:
                      route_config:
                        virtual_hosts: [{name: a, domains: ["*"], routes: [{match: {prefix: "/"}, direct_response: {status: 200}}]}]
                """.formatted(cpus - 1, ProxyHarness.freePort());
        try (ProxyEngine p = Engines.start(ConfigLoader.parse(yaml, Path.of(".")), 0)) {
            assertEquals(2, p.workers().size(), "one worker per listed core");
            assertEquals(String.valueOf(cpus - 1), allowedCpus(p, 0));
            assertEquals("0", allowedCpus(p, 1));
        }
    }

    private static String allowedCpus(ProxyEngine p, int worker) throws Exception {
        String status = p.workers().loop(worker).submit(() -> Files.readString(Path.of("/proc/thread-self/status"))).get();
        return status.lines().filter(l -> l.startsWith("Cpus_allowed_list:")).findFirst().orElseThrow()
                .substring("Cpus_allowed_list:".length()).trim();
    }
}
