package yastack.proxy.trace;

import com.google.protobuf.util.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.stream.Collectors;
import yastack.api.PluginConfigException;
import yastack.api.config.Tracing;
import yastack.api.trace.SpanSink;
import yastack.api.trace.TracingProvider;
import yastack.kernel.plugin.PluginStatsRegistry;

/**
 * The tracing of one proxy: listeners' sinks from the provider their config names, found
 * with ServiceLoader on first use (a config without tracing never loads the OpenTelemetry
 * SDK). A reload that keeps a listener's tracing settings keeps its sink (and the spans
 * queued in it); sinks no config uses any more are closed after the reload.
 */
public final class Tracers implements AutoCloseable {
    static final String DEFAULT_PROVIDER = "opentelemetry";
    static final String DEFAULT_ENDPOINT = "http://127.0.0.1:4318/v1/traces";
    static final String DEFAULT_SERVICE = "yastack";

    private final PluginStatsRegistry stats;
    private record Started(String listener, Tracing config, SpanSink sink) {}

    private final List<Started> sinks = new ArrayList<>();

    public Tracers(PluginStatsRegistry stats) {
        this.stats = stats;
    }

    /** Every installed provider, for {@code yastack version}. */
    public static String describe() {
        String all = ServiceLoader.load(TracingProvider.class, Tracers.class.getClassLoader()).stream()
                .map(p -> p.get().describe()).collect(Collectors.joining("; "));
        return all.isEmpty() ? "tracing: no provider installed" : all;
    }

    /** The tracing of listener {@code listener} per its {@code config} at {@code fieldPath}. */
    public synchronized ListenerTracing listener(String listener, Tracing config, String fieldPath) throws PluginConfigException {
        for (Started s : sinks) {
            if (s.listener.equals(listener) && s.config.equals(config)) return new ListenerTracing(listener, config, s.sink);
        }
        SpanSink sink = start(listener, config, fieldPath);
        sinks.add(new Started(listener, config, sink));
        return new ListenerTracing(listener, config, sink);
    }

    private SpanSink start(String listener, Tracing config, String fieldPath) throws PluginConfigException {
        String name = config.getProvider().isEmpty() ? DEFAULT_PROVIDER : config.getProvider();
        TracingProvider provider = provider(name).orElseThrow(() -> new PluginConfigException(fieldPath + ".provider: no tracing provider '"
                + name + "' is installed" + (name.equals(DEFAULT_PROVIDER)
                ? " (the yastack.plugin.opentelemetry module is not on the module path)" : "")));
        SpanSink.Settings s = new SpanSink.Settings(fieldPath,
                config.getEndpoint().isEmpty() ? DEFAULT_ENDPOINT : config.getEndpoint(),
                config.getServiceName().isEmpty() ? DEFAULT_SERVICE : config.getServiceName(),
                config.getMaxQueuedSpans() == 0 ? 2048 : config.getMaxQueuedSpans(),
                config.hasExportTimeout() ? Duration.ofMillis(Durations.toMillis(config.getExportTimeout())) : Duration.ofSeconds(10),
                config.getHeadersMap(), counter -> stats.counter("tracing." + listener + "." + counter));
        try {
            return provider.start(s);
        } catch (PluginConfigException e) {
            throw e;
        } catch (RuntimeException | LinkageError e) {
            throw new PluginConfigException(fieldPath + ": tracing provider '" + name + "' failed to start: " + e, e);
        }
    }

    private static Optional<TracingProvider> provider(String name) {
        return ServiceLoader.load(TracingProvider.class, Tracers.class.getClassLoader()).stream()
                .map(ServiceLoader.Provider::get).filter(p -> p.name().equals(name)).findFirst();
    }

    /** After a reload: closes the sinks of listeners whose tracing is gone or changed. */
    public synchronized void retain(Set<ListenerTracing> inUse) {
        Set<SpanSink> keep = new HashSet<>();
        for (ListenerTracing t : inUse) keep.add(t.sink);
        sinks.removeIf(s -> {
            if (keep.contains(s.sink)) return false;
            s.sink.close();
            return true;
        });
    }

    @Override
    public synchronized void close() {
        sinks.forEach(s -> s.sink.close());
        sinks.clear();
    }
}
