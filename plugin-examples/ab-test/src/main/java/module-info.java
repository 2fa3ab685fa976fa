/** Example plugin: an A/B cookie filter and an A/B router. Requires yastack.api and nothing else. */
module example.abtest {
    requires yastack.api;

    provides yastack.api.HttpFilterFactory with example.abtest.AbCookieFilterFactory;
    provides yastack.api.RouterFactory with example.abtest.AbRouterFactory;
}
