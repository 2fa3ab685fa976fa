/**
 * The built-in router: a listener's {@code route_config} (virtual hosts and routes, Envoy's
 * RouteConfiguration) compiled into decisions, loaded through the same SPI a third-party
 * router uses.
 */
module yastack.plugin.router {
    requires yastack.api;

    provides yastack.api.RouterFactory with yastack.plugin.router.RouteTableFactory;
}
