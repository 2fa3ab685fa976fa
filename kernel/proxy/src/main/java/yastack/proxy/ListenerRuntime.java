package yastack.proxy;

import com.google.protobuf.util.Durations;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import yastack.api.AccessLogger;
import yastack.api.PluginConfig;
import yastack.api.PluginConfigException;
import yastack.api.RouteDecision;
import yastack.api.Router;
import yastack.api.config.AccessLog;
import yastack.api.config.FilterRef;
import yastack.api.config.Listener;
import yastack.kernel.plugin.PluginErrors;
import yastack.kernel.plugin.PluginRegistry;
import yastack.proxy.edge.HttpEdgeSettings;
import yastack.proxy.filter.FilterChain;
import yastack.proxy.trace.ListenerTracing;
import yastack.proxy.trace.Tracers;

/** A listener's compiled HTTP settings; immutable, replaced as a whole on reload. */
record ListenerRuntime(String name, Listener config, Router router, List<FilterChain.Entry> filters,
                       PluginErrors pluginErrors, int maxHeaderBytes, long idleTimeoutMillis, long headersTimeoutMillis,
                       int maxRequestsPerConnection, String serverName, String scheme, List<AccessLogger> loggers,
                       long maxRequestBodyBytes, ViaValues via, Set<String> upgradeTypes,
                       ResponseCompression.Settings compression, HttpEdgeSettings edge, ListenerTracing tracing) {

    /** The built-in router plugin that serves {@code route_config}. */
    static final String ROUTE_TABLE = "route-table";

    /** Compiles a listener; plugin problems throw {@link IllegalStateException} naming the field. */
    static ListenerRuntime compile(int index, Listener l, List<AccessLog> defaultLogs, PluginRegistry plugins, Scripts scripts,
                                   Tracers tracers) {
        var http = l.getHttp();
        String path = "listeners[" + index + "].http";
        int maxHeaders = (http.getMaxRequestHeadersKb() == 0 ? 60 : http.getMaxRequestHeadersKb()) * 1024;
        long idle = http.hasIdleTimeout() ? Durations.toMillis(http.getIdleTimeout()) : 60_000;
        long headers = http.hasRequestHeadersTimeout() ? Durations.toMillis(http.getRequestHeadersTimeout()) : 30_000;
        String server = http.getServerName().isEmpty() ? "yastack" : http.getServerName();
        List<FilterChain.Entry> filters = new ArrayList<>();
        Router router;
        List<AccessLogger> loggers;
        ListenerTracing tracing;
        try {
            for (int i = 0; i < http.getFiltersCount(); i++) {
                FilterRef f = http.getFilters(i);
                String fpath = path + ".filters[" + i + "]";
                filters.add(f.getScript().isEmpty()
                        ? new FilterChain.Entry(f.getName(), plugins.createFilter(f.getName(), f.getConfig(), fpath))
                        : new FilterChain.Entry("script:" + f.getScript(), scripts.filter(f.getScript(), f.getConfig(), fpath)));
            }
            if (http.hasRouter()) {
                var r = http.getRouter();
                router = r.getScript().isEmpty() ? plugins.createRouter(r.getPlugin(), r.getConfig(), path + ".router")
                        : scripts.router(r.getScript(), r.getConfig(), path + ".router");
            } else if (http.hasRouteConfig()) {
                // The static route table is a plugin too, created the way a third-party router is.
                router = plugins.createRouter(ROUTE_TABLE, PluginConfig.of(http.getRouteConfig(), path + ".route_config"),
                        path + ".route_config");
            } else {
                router = (stream, request) -> RouteDecision.noRoute();
            }
            loggers = http.getAccessLogCount() > 0 ? AccessLogs.create(http.getAccessLogList(), path + ".access_log", plugins)
                    : AccessLogs.create(defaultLogs, "access_log", plugins);
            tracing = http.hasTracing() ? tracers.listener(l.getName(), http.getTracing(), path + ".tracing") : null;
        } catch (PluginConfigException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        return new ListenerRuntime(l.getName(), l, router, List.copyOf(filters), plugins.errors(), maxHeaders, idle,
                headers, http.getMaxRequestsPerConnection(), server, l.hasTls() ? "https" : "http", loggers,
                http.getMaxRequestBodyKb() * 1024L, ViaValues.of(http.hasVia() ? http.getVia() : "yastack"),
                http.getUpgradeConfigsList().stream().map(u -> u.getUpgradeType().toLowerCase(Locale.ROOT))
                        .collect(Collectors.toUnmodifiableSet()),
                http.hasCompression() ? ResponseCompression.Settings.of(http.getCompression()) : null,
                HttpEdgeSettings.of(http, maxHeaders), tracing);
    }

}
