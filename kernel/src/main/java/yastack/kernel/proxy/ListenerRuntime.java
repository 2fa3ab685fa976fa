package yastack.kernel.proxy;

import yastack.api.config.Listener;
import yastack.kernel.route.RouteTable;

/** A listener's compiled HTTP settings; immutable, replaced as a whole on reload. */
record ListenerRuntime(String name, Listener config, RouteTable routes, int maxHeaderBytes, long idleTimeoutMillis,
                       long headersTimeoutMillis, int maxRequestsPerConnection, String serverName, String scheme,
                       AccessLog accessLog) {
    static ListenerRuntime compile(Listener l, AccessLog defaultLog) {
        var http = l.getHttp();
        int maxHeaders = (http.getMaxRequestHeadersKb() == 0 ? 60 : http.getMaxRequestHeadersKb()) * 1024;
        long idle = http.hasIdleTimeout() ? millis(http.getIdleTimeout()) : 60_000;
        long headers = http.hasRequestHeadersTimeout() ? millis(http.getRequestHeadersTimeout()) : 30_000;
        String server = http.getServerName().isEmpty() ? "yastack" : http.getServerName();
        AccessLog log = http.hasAccessLog() ? AccessLog.open(http.getAccessLog()) : defaultLog;
        RouteTable routes = http.hasRouteConfig() ? new RouteTable(http.getRouteConfig()) : null;
        return new ListenerRuntime(l.getName(), l, routes, maxHeaders, idle, headers,
                http.getMaxRequestsPerConnection(), server, l.hasTls() ? "https" : "http", log);
    }

    static long millis(com.google.protobuf.Duration d) {
        return d.getSeconds() * 1000 + d.getNanos() / 1_000_000;
    }
}
