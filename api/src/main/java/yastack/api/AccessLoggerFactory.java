package yastack.api;

/**
 * Service interface of access-log plugins, used where a listener says
 * {@code http.access_log: {path: ...}} (the built-in {@code access-log}) or names a logger
 * plugin. {@link #create} runs once per listener; the logger is shared by its workers.
 */
public interface AccessLoggerFactory extends PluginFactory<AccessLogger> {}
