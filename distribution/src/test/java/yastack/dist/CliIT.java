package yastack.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The CLI contract through bin/yastack on the module path. */
class CliIT {
    @TempDir
    Path dir;

    @Test
    void versionSaysWhatItIs() throws Exception {
        Dist.Result r = Dist.run("version");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("yastack "), r.out());
        assertTrue(r.out().contains("java 25"), r.out());
        // Which JavaScript runtime the launcher enabled (optimized with the shipped Graal compiler, else interpreted).
        assertTrue(r.out().matches("(?s).*javascript: GraalJS [^\\n]*(interpreted|optimized).*"), r.out());
    }

    @ParameterizedTest
    @ValueSource(strings = {"run", "validate", "version", "quickstart", "plugins", "bench"})
    void everyCommandHasHelp(String command) throws Exception {
        Dist.Result r = Dist.run(command, "--help");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("Usage: yastack " + command), r.out());
    }

    @Test
    void topLevelHelpListsCommands() throws Exception {
        Dist.Result r = Dist.run("--help");
        assertEquals(0, r.exit());
        for (String c : List.of("run", "validate", "version", "quickstart")) assertTrue(r.out().contains(c), r.out());
    }

    @Test
    void shippedExamplesValidate() throws Exception {
        Dist.Result r = Dist.run("validate", "--config", Dist.HOME.resolve("examples/quickstart/yastack.yaml").toString());
        assertEquals(0, r.exit(), r.err());
    }

    private Dist.Result validate(String yaml) throws Exception {
        Path f = dir.resolve("c.yaml");
        Files.writeString(f, yaml);
        return Dist.run("validate", "--config", f.toString());
    }

    private static final String GOOD_CLUSTER = """
            clusters:
              - name: api
                endpoints: [{address: 127.0.0.1, port: 9000}]
            """;

    private static String listener(String routeAction) {
        return """
                listeners:
                  - name: web
                    port: 8080
                    http:
                      route_config:
                        virtual_hosts:
                          - name: all
                            domains: ["*"]
                            routes:
                              - match: {prefix: "/"}
                                %s
                """.formatted(routeAction);
    }

    @Test
    void badConfigsNameFieldAndLine() throws Exception {
        record Case(String yaml, String expected) {}
        List<Case> cases = List.of(
                new Case(GOOD_CLUSTER.replace("port: 9000", "port: 70000"), "clusters[0].endpoints[0].port: must be 1..65535, got 70000 (line 3)"),
                new Case(listener("route: {cluster: nope}") + GOOD_CLUSTER, "unknown cluster 'nope'"),
                new Case(listener("route: {cluster: api, timeout: 5 seconds}") + GOOD_CLUSTER, "timeout"),
                new Case(listener("route: {cluster: api}") + GOOD_CLUSTER + "  - name: api\n    endpoints: [{address: 127.0.0.1, port: 1}]\n", "clusters[1].name"),
                new Case(listener("route: {cluster: api}") + GOOD_CLUSTER + "bogus: 1\n", "bogus"),
                new Case(listener("route: {cluster: api}").replace("port: 8080", "port: eighty") + GOOD_CLUSTER, "listeners[0].port"),
                new Case(listener("route: {cluster: api}").replace("[\"*\"]", "[\"*\"]\n                            routes: []") + GOOD_CLUSTER, "line"),
                new Case(listener("route: {cluster: api}\n                direct_response: {status: 200}") + GOOD_CLUSTER, "exactly one"),
                new Case(listener("route: {cluster: api}").replace("prefix: \"/\"", "regex: \"([\"") + GOOD_CLUSTER, "regex"),
                new Case(listener("route: {cluster: api}") + GOOD_CLUSTER.replace("endpoints: [{address: 127.0.0.1, port: 9000}]", "lb_policy: fastest\n    endpoints: [{address: 127.0.0.1, port: 9000}]"), "lb_policy"),
                new Case(listener("redirect: {path: \"/x\", code: 399}") + GOOD_CLUSTER, "code"),
                new Case(listener("route: {cluster: api}").replace("port: 8080", "port: 8080\n    flavor: userspace") + GOOD_CLUSTER, "flavor userspace needs a stack"),
                new Case("listeners: [\n", "line"));
        for (Case c : cases) {
            Dist.Result r = validate(c.yaml());
            assertEquals(1, r.exit(), "should be invalid:\n" + c.yaml() + "\nout: " + r.out() + "\nerr: " + r.err());
            assertTrue(r.err().contains(c.expected()), "expected '" + c.expected() + "' in:\n" + r.err() + "\nfor:\n" + c.yaml());
            assertTrue(r.err().matches("(?s).*\\(line \\d+\\).*"), "the error names its line: " + r.err());
        }
    }

    @Test
    void runRefusesBadConfigAndBusyPort() throws Exception {
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "listeners: [{name: web, port: 0}]\n");
        Dist.Result r = Dist.run("run", "--config", bad.toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("listeners[0].port"), r.err());

        try (var busy = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            Path cfg = dir.resolve("busy.yaml");
            Files.writeString(cfg, """
                    admin: {port: %d}
                    listeners:
                      - name: web
                        address: 127.0.0.1
                        port: %d
                        http:
                          route_config:
                            virtual_hosts: [{name: a, domains: ["*"], routes: [{match: {prefix: "/"}, direct_response: {status: 200}}]}]
                    """.formatted(Dist.freePort(), busy.getLocalPort()));
            Dist.Result b = Dist.run(List.of("YASTACK_JAVA_OPTS=-Djava.net.preferIPv4Stack=true"), "run", "--config", cfg.toString(), "--workers", "1");
            assertNotEquals(0, b.exit());
            assertTrue(b.err().contains("cannot bind 127.0.0.1:" + busy.getLocalPort()), b.err());
        }
    }

    @Test
    void logLevelIsCheckedAndDecidesWhatIsLogged() throws Exception {
        int adminPort = Dist.freePort();
        Path cfg = dir.resolve("levels.yaml");
        Files.writeString(cfg, """
                admin: {address: 127.0.0.1, port: %d}
                listeners:
                  - name: web
                    address: 127.0.0.1
                    port: %d
                    http:
                      route_config:
                        virtual_hosts: [{name: a, domains: ["*"], routes: [{match: {prefix: "/"}, direct_response: {status: 200}}]}]
                """.formatted(adminPort, Dist.freePort()));
        Dist.Result bad = Dist.run("run", "--config", cfg.toString(), "--log-level", "verbose");
        assertEquals(1, bad.exit());
        assertTrue(bad.err().contains("--log-level: unknown level 'verbose'"), bad.err());
        Path log = dir.resolve("quiet.log");
        Process p = Dist.startRun(cfg, log, List.of(), "--workers", "1", "--log-level", "error");
        try {
            Dist.awaitReady(adminPort, p, log);
            assertFalse(Files.readString(log).contains("listener web: http on"), "no INFO lines at level error:\n" + Files.readString(log));
        } finally {
            Dist.stop(p);
        }
    }

    @Test
    void benchStackPrintsJsonNumbers() throws Exception {
        Dist.Result r = Dist.run("bench", "stack", "--duration", "1", "--json");
        assertEquals(0, r.exit(), r.err());
        String line = r.out().trim();
        assertTrue(line.matches("\\{\"gbit_per_s\":[0-9.]+,\"bulk_retransmits\":[0-9.]+,\"rr_per_s\":[0-9.]+\\}"), line);
        double gbit = Double.parseDouble(line.replaceAll(".*\"gbit_per_s\":([0-9.]+).*", "$1"));
        assertTrue(gbit > 0.1, line);
    }

    @Test
    void missingConfigFileIsAClearError() throws Exception {
        Dist.Result r = Dist.run("validate", "--config", dir.resolve("nope.yaml").toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("not found"), r.err());
    }
}
