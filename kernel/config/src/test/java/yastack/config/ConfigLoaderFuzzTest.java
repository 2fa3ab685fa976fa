package yastack.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * Coverage-guided fuzzing (Jazzer) of the YAML config loader ({@link ConfigLoader}: snakeyaml-engine's
 * node tree, the protobuf reader, the validators). Whatever text a config file holds, the loader either
 * returns a config or throws {@link ConfigException} (anything else would take down {@code validate},
 * a start or a reload); every error says what is wrong and where (an error about a field names its line),
 * and the same text always gives the same answer.
 * Seeds: {@code src/test/resources/yastack/config/ConfigLoaderFuzzTestInputs/loadsOrNamesTheProblem/}.
 */
class ConfigLoaderFuzzTest {
    /** Files a fuzzed config names resolve here: a directory that does not exist, so nothing is read. */
    private static final Path BASE = Path.of("/nonexistent-yastack-fuzz");

    @FuzzTest(maxDuration = "60s", maxExecutions = 15000)
    void loadsOrNamesTheProblem(byte[] input) {
        String yaml = new String(input, StandardCharsets.UTF_8);
        String first = outcome(yaml);
        assertEquals(first, outcome(yaml), "the same text loads the same way twice");
    }

    private static String outcome(String yaml) {
        try {
            return "ok " + ConfigLoader.parse(yaml, BASE, () -> false).bootstrap();
        } catch (ConfigException e) {
            long lines = yaml.lines().count();
            List<ConfigError> errors = e.errors();
            assertFalse(errors.isEmpty());
            for (ConfigError err : errors) {
                assertFalse(err.message().isBlank(), "an error says what is wrong");
                assertTrue(err.line() >= 0 && err.line() <= lines + 1, () -> "line " + err.line() + " of " + lines + ": " + err);
                assertTrue(err.path().isEmpty() || err.line() > 0, () -> "an error about a field names its line: " + err);
            }
            return "error " + e.getMessage();
        }
    }
}
