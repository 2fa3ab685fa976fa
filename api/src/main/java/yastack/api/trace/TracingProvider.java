package yastack.api.trace;

import yastack.api.PluginConfigException;

/**
 * Service interface of a tracing backend. The proxy finds providers with
 * {@link java.util.ServiceLoader} when a listener has {@code http.tracing} and picks the one
 * whose {@link #name} the config names ({@code opentelemetry} by default); yastack ships an
 * OpenTelemetry exporter in the {@code yastack.plugin.opentelemetry} module. A config without
 * tracing never starts one.
 *
 * <p>The proxy does the per-request work itself, on the workers: it reads and writes
 * {@code traceparent}, samples, and records each finished span as a {@link FinishedSpan}.
 * A provider only turns finished spans into its format and sends them, on threads of its own.
 */
public interface TracingProvider {
    /** The name a config gives as {@code tracing.provider}. */
    String name();

    /** One line for {@code yastack version}: the provider and its library version. */
    String describe();

    /** Starts a sink for one listener's tracing settings; bad settings throw, naming {@link SpanSink.Settings#fieldPath}. */
    SpanSink start(SpanSink.Settings settings) throws PluginConfigException;
}
