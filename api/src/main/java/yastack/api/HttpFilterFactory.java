package yastack.api;

/**
 * Service interface of HTTP filter plugins. Referenced from config as
 * {@code listeners[].http.filters: [{name: NAME, config: {...}}]}; {@link #create}
 * runs once per such entry.
 */
public interface HttpFilterFactory extends PluginFactory<ConfiguredHttpFilter> {}
