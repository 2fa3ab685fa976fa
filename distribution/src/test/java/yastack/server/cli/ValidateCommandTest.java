package yastack.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ValidateCommandTest {
    @TempDir
    Path dir;

    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    @Test
    void validConfig() throws IOException {
        Path file = Files.writeString(dir.resolve("ok.yaml"), """
                listeners:
                  - {name: t, port: 8080, tcp: {cluster: c}}
                clusters: [{name: c, endpoints: [{address: 127.0.0.1, port: 9000}]}]
                """);
        CliRun r = run("validate", "--config", file.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals(file + ": valid", r.out().strip());
        assertEquals("", r.err());
    }

    @Test
    void invalidConfigListsEveryErrorOnStderr() throws IOException {
        Path file = Files.writeString(dir.resolve("bad.yaml"), """
                listeners:
                  - {name: t, port: 80000, tcp: {cluster: nope}}
                clusters:
                  - {name: c}
                """);
        CliRun r = run("validate", "--config", file.toString());
        assertEquals(1, r.exit());
        assertEquals("", r.out());
        String[] lines = r.err().strip().split("\n");
        assertEquals(4, lines.length, r.err());
        assertEquals(file + ": listeners[0].port: must be 1..65535, got 80000 (line 2)", lines[0]);
        assertEquals(file + ": listeners[0].tcp.cluster: unknown cluster 'nope' (line 2)", lines[1]);
        assertEquals(file + ": clusters[0].endpoints: a cluster needs at least one endpoint (line 4)", lines[2]);
        assertEquals(file + ": invalid (3 errors)", lines[3]);
    }

    @Test
    void yamlSyntaxErrorIsInvalid() throws IOException {
        Path file = Files.writeString(dir.resolve("broken.yaml"), "listeners: [\n");
        CliRun r = run("validate", "--config", file.toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("YAML syntax error"), r.err());
    }

    @Test
    void missingFileExitsTwo() {
        Path file = dir.resolve("absent.yaml");
        CliRun r = run("validate", "--config", file.toString());
        assertEquals(2, r.exit());
        assertEquals("yastack validate: config file not found: " + file, r.err().strip());
    }

    @Test
    void directoryExitsTwo() {
        CliRun r = run("validate", "--config", dir.toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("is a directory"), r.err());
    }

    @Test
    void configOptionIsRequired() {
        CliRun r = run("validate");
        assertEquals(2, r.exit()); // a usage error
        assertTrue(r.err().contains("--config"), r.err());
    }
}
