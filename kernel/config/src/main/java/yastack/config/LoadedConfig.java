package yastack.config;

import java.nio.file.Path;
import yastack.api.config.Bootstrap;

/**
 * A parsed and validated config.
 *
 * @param bootstrap the config itself
 * @param file      the file it came from, or null when parsed from a string
 * @param baseDir   the directory relative paths in the config (scripts, certificates) resolve against
 */
public record LoadedConfig(Bootstrap bootstrap, Path file, Path baseDir) {}
