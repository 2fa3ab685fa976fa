package yastack.server.admin;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * {@code GET /} on the admin port: one HTML page (no outside resources) that reads the admin
 * API every two seconds and shows listeners, clusters with each endpoint's health and
 * counters, latency percentiles, workers, the userspace stack and every stat.
 */
final class LivePage {
    private static final String HTML = load();

    private LivePage() {}

    static String html() {
        return HTML;
    }

    private static String load() {
        try (InputStream in = LivePage.class.getResourceAsStream("index.html")) {
            if (in == null) throw new IllegalStateException("admin page index.html missing from the server jar");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
