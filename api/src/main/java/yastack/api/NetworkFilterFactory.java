package yastack.api;

/**
 * Service interface of L4 (network) filter plugins, for the TCP proxy and for
 * listeners. {@link #create} runs once per reference in config.
 */
public interface NetworkFilterFactory extends PluginFactory<ConfiguredNetworkFilter> {}
