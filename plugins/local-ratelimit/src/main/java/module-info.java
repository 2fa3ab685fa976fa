/** Built-in HTTP filter {@code local-ratelimit}. */
module yastack.plugin.ratelimit {
    requires yastack.api;

    provides yastack.api.HttpFilterFactory with yastack.plugin.ratelimit.LocalRateLimitFactory;
}
