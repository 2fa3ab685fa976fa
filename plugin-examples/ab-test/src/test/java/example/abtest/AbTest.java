package example.abtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import yastack.api.PluginConfigException;

/** Unit tests of the parts that need no host; the plugin as a whole is tested by loading it into yastack. */
class AbTest {
    @Test
    void findsTheCookieAmongOthers() {
        assertEquals("b", AbCookieFilterFactory.cookieValue(List.of("session=x; ab=b", "theme=dark"), "ab"));
        assertEquals("a", AbCookieFilterFactory.cookieValue(List.of("theme=dark", " ab = a "), "ab"));
        assertNull(AbCookieFilterFactory.cookieValue(List.of("abc=b"), "ab"));
    }

    @Test
    void rejectsBadPercent() {
        var cfg = com.google.protobuf.Struct.newBuilder()
                .putFields("percent_b", com.google.protobuf.Value.newBuilder().setNumberValue(150).build()).build();
        PluginConfigException e = assertThrows(PluginConfigException.class,
                () -> new AbCookieFilterFactory().validate(yastack.api.PluginConfig.of(cfg)));
        assertTrue(e.getMessage().contains("percent_b"));
    }
}
