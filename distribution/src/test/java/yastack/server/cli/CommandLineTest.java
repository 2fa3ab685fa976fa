package yastack.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The command line's grammar through {@link Main#execute}: help, versions, usage errors (exit 2). */
class CommandLineTest {
    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    @Test
    void aloneOrWithHelpItListsTheCommands() {
        for (String[] args : new String[][] {{}, {"--help"}, {"-h"}}) {
            CliRun r = run(args);
            assertEquals(0, r.exit(), r.err());
            assertTrue(r.out().startsWith("Usage: yastack"), r.out());
            for (String c : new String[] {"run", "validate", "plugins", "quickstart", "bench", "version"}) {
                assertTrue(r.out().contains("  " + c + "  "), c + " in:\n" + r.out());
            }
        }
    }

    @Test
    void everyCommandHasHelp() {
        for (String c : new String[] {"run", "validate", "plugins", "quickstart", "version"}) {
            CliRun r = run(c, "--help");
            assertEquals(0, r.exit(), r.err());
            assertTrue(r.out().startsWith("Usage: yastack " + c), r.out());
        }
        CliRun r = run("run", "-h");
        assertTrue(r.out().contains("--config=FILE") && r.out().contains("--upgrade-from=ADMIN"), r.out());
        r = run("bench", "stack", "--help");
        assertEquals(0, r.exit());
        assertTrue(r.out().startsWith("Usage: yastack bench stack"), r.out());
        assertTrue(run("bench").out().contains("  stack  "));
    }

    @Test
    void versionFromTheCommandAndTheFlag() {
        for (String[] args : new String[][] {{"version"}, {"--version"}, {"-V"}, {"run", "--version"}}) {
            CliRun r = run(args);
            assertEquals(0, r.exit(), r.err());
            assertTrue(r.out().startsWith("yastack ") && r.out().contains("\njava 25"), r.out());
        }
    }

    @Test
    void usageErrorsExitTwoAndSayWhat() {
        CliRun r = run("frobnicate");
        assertEquals(2, r.exit());
        assertTrue(r.err().startsWith("Unknown command: 'frobnicate'"), r.err());
        r = run("validate", "--config", "a.yaml", "--bogus");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--bogus"), r.err());
        r = run("run", "--config=x.yaml", "--workers", "many");
        assertEquals(2, r.exit());
        assertTrue(r.err().startsWith("Invalid value for option '--workers': 'many' is not an int"), r.err());
        r = run("run");
        assertEquals(2, r.exit());
        assertTrue(r.err().startsWith("Missing required option: config"), r.err());
        r = run("validate", "--config", "a.yaml", "extra");
        assertEquals(2, r.exit());
        assertTrue(r.err().startsWith("Unmatched argument: extra"), r.err());
        r = run("bench", "stack", "--duration", "soon");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("'soon' is not a number"), r.err());
    }
}
