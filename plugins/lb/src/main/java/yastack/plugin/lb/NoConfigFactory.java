package yastack.plugin.lb;

import yastack.api.LoadBalancer;
import yastack.api.LoadBalancerFactory;
import yastack.api.PluginConfig;
import yastack.api.PluginConfigException;
import yastack.api.PluginContext;

/** A balancer that takes no config: any key given is an error naming it. */
abstract class NoConfigFactory implements LoadBalancerFactory {
    private final String name;
    private final String description;

    NoConfigFactory(String name, String description) {
        this.name = name;
        this.description = description;
    }

    /** A fresh balancer (one per cluster and worker). */
    abstract LoadBalancer newBalancer();

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final String description() {
        return description;
    }

    @Override
    public final void validate(PluginConfig config) throws PluginConfigException {
        config.requireOnly();
    }

    @Override
    public final LoadBalancer create(PluginConfig config, PluginContext context) throws PluginConfigException {
        validate(config);
        return newBalancer();
    }
}
