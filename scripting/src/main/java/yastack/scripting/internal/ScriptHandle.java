package yastack.scripting.internal;

import java.nio.file.Path;

/** What every script policy made by a {@link ScriptHost} has in common (for logs and tests; the proxy sees only the SPI). */
public interface ScriptHandle extends AutoCloseable {
    /** The script's name in stats ({@code script.<name>.*}) and logs: the file name without extension. */
    String name();

    /** The script's main file. */
    Path file();

    /** The number of versions loaded successfully so far (1 after the initial load). */
    long generation();

    /**
     * Stops watching the file; contexts are freed once the streams using them
     * finished. The policy must not be called afterwards.
     */
    @Override
    void close();
}
