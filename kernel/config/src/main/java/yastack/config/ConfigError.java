package yastack.config;

/**
 * One problem found in a config file.
 *
 * @param path    the field path as the user wrote it, e.g. {@code clusters[1].endpoints[0].port};
 *                empty for problems with the file as a whole
 * @param message what is wrong, in words a user can act on
 * @param line    1-based line in the YAML file, 0 when unknown
 */
public record ConfigError(String path, String message, int line) {
    public ConfigError {
        path = path == null ? "" : path;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        if (!path.isEmpty()) sb.append(path).append(": ");
        sb.append(message);
        if (line > 0) sb.append(" (line ").append(line).append(')');
        return sb.toString();
    }
}
