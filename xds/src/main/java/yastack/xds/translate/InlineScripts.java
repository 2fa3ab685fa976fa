package yastack.xds.translate;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Scripts a control plane sends inline become files in a directory of this process, named
 * by their content, so the proxy loads them through the same path (and the same reload) as
 * a script file in the config: a new source is a new file, an unchanged one the same file.
 * The file name is the filter's, so its stats read {@code script.<filter name>.*}.
 */
public final class InlineScripts implements AutoCloseable {
    private final Path dir;

    public InlineScripts(Path dir) {
        this.dir = dir;
    }

    /** A private temporary directory, removed by {@link #close()}. */
    public static InlineScripts temporary() {
        try {
            return new InlineScripts(Files.createTempDirectory("yastack-xds-scripts"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a directory for inline scripts", e);
        }
    }

    /** The file holding {@code source} for the filter or router called {@code name}. */
    Path file(String name, String source) throws Rejection {
        String digest = sha256(source).substring(0, 16);
        String base = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_.-]", "_");
        if (base.isEmpty() || base.startsWith(".")) base = "script" + base;
        Path file = dir.resolve(digest).resolve(base + ".js");
        try {
            if (!Files.isRegularFile(file)) {
                Files.createDirectories(file.getParent());
                Path tmp = Files.createTempFile(file.getParent(), base, ".tmp");
                Files.writeString(tmp, source, StandardCharsets.UTF_8);
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (IOException e) {
            throw new Rejection("", "cannot store the inline script for '" + name + "': " + e.getMessage());
        }
        return file;
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort: a temporary directory
        }
    }
}
