package yastack.proxy.trace;

import yastack.kernel.stats.Counter;
import yastack.kernel.stats.WorkerStats;

/**
 * One worker's tracing decisions for one listener, under Envoy's names
 * ({@code http.<listener>.tracing.*}): why each request was traced or not.
 */
public final class TracingStats {
    /** Sampled by the ratio (Envoy's random_sampling). */
    final Counter randomSampling;
    /** Forced by x-client-trace-id. */
    final Counter clientEnabled;
    /** Forced by another force header (x-envoy-force-trace). */
    final Counter serviceForced;
    /** The caller's traceparent said sampled. */
    final Counter parentSampled;
    /** Not sampled. */
    final Counter notTraceable;
    /** Not sampled, exported anyway because it ended in error (always_sample_errors). */
    final Counter errorSampled;
    /** A traceparent that broke the grammar: a new trace was started instead. */
    final Counter invalidTraceparent;
    /** A tracestate that broke the grammar: dropped. */
    final Counter invalidTracestate;
    /** B3 headers without a valid traceparent that broke the grammar: a new trace was started instead. */
    final Counter invalidB3;

    public TracingStats(WorkerStats s, String listener) {
        String p = "http." + listener + ".tracing.";
        randomSampling = s.counter(p + "random_sampling");
        clientEnabled = s.counter(p + "client_enabled");
        serviceForced = s.counter(p + "service_forced");
        parentSampled = s.counter(p + "parent_sampled");
        notTraceable = s.counter(p + "not_traceable");
        errorSampled = s.counter(p + "error_sampled");
        invalidTraceparent = s.counter(p + "invalid_traceparent");
        invalidTracestate = s.counter(p + "invalid_tracestate");
        invalidB3 = s.counter(p + "invalid_b3");
    }
}
