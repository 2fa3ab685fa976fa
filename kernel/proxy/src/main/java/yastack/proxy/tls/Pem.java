package yastack.proxy.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * PEM text from a file (watched, so it reloads when it changes) or written in the config
 * itself (an SDS secret's inline PEM: a new version comes as a new config).
 */
record Pem(Path file, String text) {
    static Pem of(String file, String text, Path baseDir) {
        if (!text.isEmpty()) return new Pem(null, text);
        Path p = Path.of(file);
        return new Pem(p.isAbsolute() ? p : baseDir.resolve(p), null);
    }

    InputStream open() throws IOException {
        return file != null ? Files.newInputStream(file) : new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII));
    }

    @Override
    public String toString() {
        return file != null ? file.toString() : "inline PEM";
    }
}
