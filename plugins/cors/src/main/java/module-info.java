/** Built-in HTTP filter {@code cors}. */
module yastack.plugin.cors {
    requires yastack.api;

    provides yastack.api.HttpFilterFactory with yastack.plugin.cors.CorsFilterFactory;
}
