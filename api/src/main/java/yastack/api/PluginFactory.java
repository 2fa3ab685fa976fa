package yastack.api;

/**
 * The common shape of every plugin kind: a named factory found with
 * {@link java.util.ServiceLoader} that validates its config and creates the
 * configured policy object. Factories must have a public no-argument
 * constructor (or a public static {@code provider()} method) and must be cheap
 * to construct: heavy work belongs in {@link #create}.
 *
 * @param <T> what {@link #create} makes
 */
public interface PluginFactory<T> {
    /**
     * The name config uses to reference this plugin, e.g. {@code local-ratelimit}.
     * Lower case letters, digits, {@code -}, {@code _} and {@code .}; unique per kind.
     */
    String name();

    /** One line for {@code yastack plugins}; empty by default. */
    default String description() {
        return "";
    }

    /**
     * Checks {@code config} without creating anything (used by config
     * validation before a config is applied). The default creates nothing and
     * accepts everything; {@link #create} must check again.
     *
     * @throws PluginConfigException naming the offending field
     */
    default void validate(PluginConfig config) throws PluginConfigException {}

    /**
     * Creates the configured policy object. Called on a control thread, once
     * per reference in the config (see each kind for details).
     *
     * @throws PluginConfigException if the config is invalid
     */
    T create(PluginConfig config, PluginContext context) throws PluginConfigException;
}
