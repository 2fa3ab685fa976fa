package yastack.api;

/**
 * Service interface of load-balancer plugins, used where a cluster says
 * {@code lb_policy: {plugin: NAME, config: {...}}}. {@link #create} runs once per
 * cluster and worker, so a {@link LoadBalancer} is confined to one thread.
 */
public interface LoadBalancerFactory extends PluginFactory<LoadBalancer> {}
