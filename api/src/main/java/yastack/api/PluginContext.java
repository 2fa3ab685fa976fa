package yastack.api;

/**
 * What the kernel gives a plugin when it is created: its name, a logger and
 * its stats scope. Nothing of the kernel's internals is reachable from here.
 */
public interface PluginContext {
    /** The plugin's name as referenced in config (the factory's name). */
    String pluginName();

    /** A logger named {@code yastack.plugin.<name>}. */
    System.Logger logger();

    /** Stats published as {@code plugin.<name>.<stat>}. */
    PluginStats stats();

    /** The process clock in nanoseconds (monotonic); tests may fake it. */
    default long nanoTime() {
        return System.nanoTime();
    }
}
