/** Built-in HTTP filter {@code headers}. */
module yastack.plugin.headers {
    requires yastack.api;
    requires yastack.plugin.common;

    provides yastack.api.HttpFilterFactory with yastack.plugin.headers.HeadersFilterFactory;
}
