package yastack.api;

/**
 * Service interface of router plugins, used where a listener says
 * {@code http.router: {plugin: NAME, config: {...}}} instead of a static
 * {@code route_config}. {@link #create} runs once per listener.
 */
public interface RouterFactory extends PluginFactory<Router> {}
