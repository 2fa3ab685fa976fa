package yastack.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationTextTest {
    @ParameterizedTest
    @CsvSource({
        "5s, 5, 0",
        "250ms, 0, 250000000",
        "1.5s, 1, 500000000",
        "1m, 60, 0",
        "1h, 3600, 0",
        "1m30s, 90, 0",
        "100us, 0, 100000",
        "7ns, 0, 7",
        "0s, 0, 0",
        "0.25h, 900, 0",
        "-1.5s, -1, -500000000",
    })
    void parses(String text, long seconds, int nanos) {
        assertEquals(Duration.newBuilder().setSeconds(seconds).setNanos(nanos).build(), DurationText.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "5", "s", "5 s", "5sec", "1.s", "five seconds", "1d", "5s5", "--1s", "0.5ns"})
    void rejects(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DurationText.parse(text));
        assertTrue(e.getMessage().contains(text.isEmpty() ? "expected a duration" : "'" + text + "'"), e.getMessage());
    }

    @Test
    void negativity() {
        assertTrue(DurationText.isNegative(DurationText.parse("-1ms")));
        assertEquals(false, DurationText.isNegative(DurationText.parse("0s")));
    }
}
