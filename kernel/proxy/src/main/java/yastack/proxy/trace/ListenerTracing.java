package yastack.proxy.trace;

import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import yastack.api.config.Tracing;
import yastack.api.trace.SpanSink;

/**
 * A listener's tracing, compiled from its {@code http.tracing}: the sampling rules and the
 * sink its spans go to. Decides, once per request on its worker, whether the request is
 * traced and under which trace; what happens next is the request's {@link ExchangeTrace}.
 */
public final class ListenerTracing {
    static final List<String> DEFAULT_FORCE_HEADERS = List.of("x-client-trace-id", "x-envoy-force-trace");

    final String listener;
    final SpanSink sink;
    final boolean sampleErrors;
    private final String[] forceHeaders;
    /** A new trace is sampled when its id's low 63 bits are below this (OpenTelemetry's TraceIdRatioBased). */
    private final long ratioBound;
    private final boolean always;

    ListenerTracing(String listener, Tracing config, SpanSink sink) {
        this.listener = listener;
        this.sink = sink;
        var s = config.getSampling();
        double ratio = s.hasRatio() ? s.getRatio() : 1.0;
        this.always = ratio >= 1.0;
        this.ratioBound = ratio <= 0 ? 0 : (long) (ratio * Long.MAX_VALUE);
        this.sampleErrors = s.getAlwaysSampleErrors();
        List<String> force = s.getForceHeadersCount() > 0 ? s.getForceHeadersList() : DEFAULT_FORCE_HEADERS;
        this.forceHeaders = force.stream().map(h -> h.toLowerCase(Locale.ROOT)).toArray(String[]::new);
    }

    /** Reads the request's trace context, decides sampling, and starts its server span. */
    public ExchangeTrace start(HttpHeaders request, TracingStats stats, SplittableRandom random, long startNanos) {
        TraceParent parent = null;
        String state = "";
        List<String> parents = request.getAll("traceparent");
        if (!parents.isEmpty()) {
            parent = TraceParent.parse(parents);
            if (parent == null) stats.invalidTraceparent.inc();
        }
        if (parent != null) {
            state = TraceState.combine(request.getAll("tracestate"));
            if (state == null) {
                stats.invalidTracestate.inc();
                state = "";
            }
        }
        B3.Form b3Form = B3.form(request);
        B3 b3 = parent == null && b3Form != B3.Form.NONE ? B3.parse(request) : null;
        if (b3 == null && parent == null && b3Form != B3.Form.NONE) stats.invalidB3.inc();
        if (b3 != null) parent = new TraceParent(b3.traceHigh(), b3.traceLow(), b3.spanId(), Boolean.TRUE.equals(b3.sampled()));
        long high = parent != null ? parent.traceHigh() : random.nextLong();
        long low = parent != null ? parent.traceLow() : nonZero(random);
        // A B3 caller may defer the decision: then it is ours, as for a new trace.
        Boolean parentSampled = b3 != null ? b3.sampled() : parent != null ? Boolean.valueOf(parent.sampled()) : null;
        boolean sampled = decide(request, parentSampled, low, stats);
        return new ExchangeTrace(this, high, low, nonZero(random), parent == null ? 0 : parent.parentSpanId(), state, sampled,
                request.get("x-client-trace-id"), b3Form, random, startNanos);
    }

    private boolean decide(HttpHeaders request, Boolean parentSampled, long traceLow, TracingStats stats) {
        for (String h : forceHeaders) {
            if (request.contains(h)) {
                (h.equals("x-client-trace-id") ? stats.clientEnabled : stats.serviceForced).inc();
                return true;
            }
        }
        boolean sampled = parentSampled != null ? parentSampled : always || (traceLow & Long.MAX_VALUE) < ratioBound;
        (sampled ? parentSampled != null ? stats.parentSampled : stats.randomSampling : stats.notTraceable).inc();
        return sampled;
    }

    static long nonZero(SplittableRandom random) {
        long v;
        do {
            v = random.nextLong();
        } while (v == 0);
        return v;
    }
}
