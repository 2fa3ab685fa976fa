package yastack.api;

/**
 * A plugin's configuration is invalid. The message names the field (with its
 * path from the plugin's {@code config:} block) and what is wrong.
 */
public class PluginConfigException extends Exception {
    public PluginConfigException(String message) {
        super(message);
    }

    public PluginConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
