package yastack.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.io.TempDir;

/** Helpers for bad-config tests; YAML text blocks start at line 1. DPDK counts as installed. */
abstract class ConfigErrorAssertions {
    @TempDir
    Path dir;

    List<ConfigError> errors(String yaml) {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(yaml, dir, () -> true));
        return e.errors();
    }

    ConfigError single(String yaml) {
        List<ConfigError> errors = errors(yaml);
        assertEquals(1, errors.size(), () -> "expected one error, got:\n"
                + errors.stream().map(ConfigError::toString).collect(Collectors.joining("\n")));
        return errors.getFirst();
    }

    static void assertError(ConfigError e, String path, int line, String messagePart) {
        assertEquals(path, e.path(), e::toString);
        assertEquals(line, e.line(), e::toString);
        assertTrue(e.message().contains(messagePart), () -> "'" + e.message() + "' should contain '" + messagePart + "'");
    }
}
