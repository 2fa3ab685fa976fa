package yastack.kernel.plugin;

import yastack.api.PluginContext;
import yastack.api.PluginStats;
import yastack.kernel.util.Logs;

/** The {@link PluginContext} the kernel hands to a factory's {@code create}. */
record KernelPluginContext(String pluginName, System.Logger logger, PluginStats stats) implements PluginContext {
    static KernelPluginContext of(String pluginName, PluginStatsRegistry stats) {
        return new KernelPluginContext(pluginName, Logs.get("yastack.plugin." + pluginName), stats.scope(pluginName));
    }
}
