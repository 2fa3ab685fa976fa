/** The built-in access log {@code access-log}: a logger (what listeners' access_log use) and the same as a filter. */
module yastack.plugin.accesslog {
    requires yastack.api;
    requires yastack.plugin.common;

    provides yastack.api.AccessLoggerFactory with yastack.plugin.accesslog.FileAccessLoggerFactory;
    provides yastack.api.HttpFilterFactory with yastack.plugin.accesslog.AccessLogFactory;
}
