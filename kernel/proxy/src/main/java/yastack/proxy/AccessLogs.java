package yastack.proxy;

import java.util.ArrayList;
import java.util.List;
import yastack.api.AccessLogger;
import yastack.api.PluginConfig;
import yastack.api.PluginConfigException;
import yastack.api.config.AccessLog;
import yastack.kernel.plugin.PluginRegistry;
import yastack.kernel.util.Logs;
import yastack.proxy.filter.FilterChain;

/**
 * A listener's access logs: each {@code access_log} entry (its own, else the top-level ones)
 * becomes the built-in {@code access-log} logger plugin, given the typed entry, so the
 * listener form and the filter form are one implementation. Also asks every log file of a
 * snapshot to reopen (log rotation).
 */
final class AccessLogs {
    /** The built-in logger plugin behind {@code access_log}. */
    static final String PLUGIN = "access-log";
    private static final System.Logger LOG = Logs.get("yastack");

    private AccessLogs() {}

    /** @param path the config field of {@code logs} ({@code listeners[0].http.access_log} or {@code access_log}) */
    static List<AccessLogger> create(List<AccessLog> logs, String path, PluginRegistry plugins) throws PluginConfigException {
        List<AccessLogger> out = new ArrayList<>();
        for (int i = 0; i < logs.size(); i++) {
            AccessLog log = logs.get(i);
            if (log.getDisabled()) continue;
            String p = path + "[" + i + "]";
            out.add(plugins.createAccessLogger(PLUGIN, PluginConfig.of(log, p), p));
        }
        return List.copyOf(out);
    }

    /** Every access log and log-writing filter of {@code snapshot} reopens its files. */
    static void reopen(ProxySnapshot snapshot) {
        for (ListenerRuntime l : snapshot.listeners().values()) {
            for (AccessLogger logger : l.loggers()) logger.reopenLogs();
            for (FilterChain.Entry e : l.filters()) {
                try {
                    e.filter().reopenLogs();
                } catch (RuntimeException | LinkageError ex) {
                    LOG.log(System.Logger.Level.WARNING, "listener " + l.name() + ": filter " + e.name() + " failed to reopen its logs: " + ex);
                }
            }
        }
    }
}
