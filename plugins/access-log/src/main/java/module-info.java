/** Built-in HTTP filter {@code access-log}. */
module yastack.plugin.accesslog {
    requires yastack.api;
    requires yastack.plugin.common;

    provides yastack.api.HttpFilterFactory with yastack.plugin.accesslog.AccessLogFactory;
}
