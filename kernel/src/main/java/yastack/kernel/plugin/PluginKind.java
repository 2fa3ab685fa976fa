package yastack.kernel.plugin;

import yastack.api.AccessLoggerFactory;
import yastack.api.HttpFilterFactory;
import yastack.api.LoadBalancerFactory;
import yastack.api.NetworkFilterFactory;
import yastack.api.PluginFactory;
import yastack.api.RouterFactory;
import yastack.api.SteeringPolicyFactory;

/** The kinds of plugin, each with its service interface and the word users see. */
public enum PluginKind {
    FILTER("filter", HttpFilterFactory.class),
    ROUTER("router", RouterFactory.class),
    LB("lb", LoadBalancerFactory.class),
    STEERING("steering", SteeringPolicyFactory.class),
    L4("l4", NetworkFilterFactory.class),
    ACCESS_LOG("access-log", AccessLoggerFactory.class);

    private final String label;
    private final Class<? extends PluginFactory<?>> service;

    PluginKind(String label, Class<? extends PluginFactory<?>> service) {
        this.label = label;
        this.service = service;
    }

    /** The word shown by {@code yastack plugins}: filter, router, lb, steering, l4, access-log. */
    public String label() {
        return label;
    }

    /** The {@link java.util.ServiceLoader} service interface of this kind. */
    public Class<? extends PluginFactory<?>> service() {
        return service;
    }
}
