package yastack.plugin.router;

import yastack.api.PluginConfig;
import yastack.api.PluginConfigException;
import yastack.api.PluginContext;
import yastack.api.Router;
import yastack.api.RouterFactory;
import yastack.api.config.RouteConfig;

/**
 * {@code route-table}: a listener's {@code route_config} — virtual hosts picked by authority,
 * then the first route whose path, headers, query parameters and method match. The proxy
 * hands it the listener's typed {@code route_config}; it is not configured by key/value pairs.
 */
public final class RouteTableFactory implements RouterFactory {
    /** The name the proxy uses for a listener's {@code route_config}. */
    public static final String NAME = "route-table";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "route_config: virtual hosts and routes (Envoy's RouteConfiguration)";
    }

    @Override
    public void validate(PluginConfig config) throws PluginConfigException {
        config.requireMessage(RouteConfig.class);
    }

    @Override
    public Router create(PluginConfig config, PluginContext context) throws PluginConfigException {
        return new RouteTable(config.requireMessage(RouteConfig.class));
    }
}
