package yastack.kernel.plugin;

import java.util.Objects;
import yastack.api.PluginFactory;

/**
 * One plugin found by the loader.
 *
 * @param name the name config references it by
 * @param kind its kind
 * @param module the JPMS module that provides it
 * @param version the module's version, {@code ""} if unknown
 * @param location the jar or directory it came from, or {@code "built-in"}
 * @param builtIn whether it came from the host's own layer rather than the plugin directory
 * @param description the factory's one-line description
 * @param factory the loaded factory
 */
public record PluginInfo(String name, PluginKind kind, String module, String version, String location,
                         boolean builtIn, String description, PluginFactory<?> factory) {
    public PluginInfo {
        Objects.requireNonNull(name);
        Objects.requireNonNull(kind);
        Objects.requireNonNull(factory);
    }
}
