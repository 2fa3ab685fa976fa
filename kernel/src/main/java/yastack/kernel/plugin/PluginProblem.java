package yastack.kernel.plugin;

/**
 * Something wrong with the plugin directory: the plugin (or jar) it concerns is
 * not loaded, everything else is.
 *
 * @param location the jar, directory or plugin name concerned
 * @param message what is wrong and, where known, what to do about it
 */
public record PluginProblem(String location, String message) {
    @Override
    public String toString() {
        return location + ": " + message;
    }
}
