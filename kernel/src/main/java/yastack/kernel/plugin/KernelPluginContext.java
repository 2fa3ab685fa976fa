package yastack.kernel.plugin;

import yastack.api.PluginContext;
import yastack.api.PluginStats;

/** The {@link PluginContext} the kernel hands to a factory's {@code create}. */
record KernelPluginContext(String pluginName, System.Logger logger, PluginStats stats) implements PluginContext {
    static KernelPluginContext of(String pluginName, PluginStatsRegistry stats) {
        return new KernelPluginContext(pluginName, System.getLogger("yastack.plugin." + pluginName), stats.scope(pluginName));
    }
}
