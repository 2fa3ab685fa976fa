package yastack.plugin.accesslog;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import yastack.api.Hashing;
import yastack.api.PluginConfigException;
import yastack.api.StreamSummary;
import yastack.api.config.AccessLogFilter;
import yastack.api.config.ComparisonFilter;

/** Which finished streams an access log writes: every condition given must hold. */
final class LogFilter {
    static final LogFilter ALL = new LogFilter(null, null, -1, null);

    private final ComparisonFilter status;
    private final ComparisonFilter durationMs;
    /** Out of 10 000; -1: no sampling. */
    private final int sampledPer10k;
    /** Any of these flags; empty: any flag at all; null: no flag condition. */
    private final List<String> flags;

    private LogFilter(ComparisonFilter status, ComparisonFilter durationMs, int sampledPer10k, List<String> flags) {
        this.status = status;
        this.durationMs = durationMs;
        this.sampledPer10k = sampledPer10k;
        this.flags = flags;
    }

    static LogFilter of(AccessLogFilter f, String field) throws PluginConfigException {
        int sampled = -1;
        if (f.hasRuntimeFilter()) {
            double pct = f.getRuntimeFilter().getPercentSampled();
            if (!(pct >= 0 && pct <= 100)) throw new PluginConfigException(field + ".runtime_filter.percent_sampled: must be 0..100, got " + pct);
            sampled = (int) Math.round(pct * 100);
        }
        if (f.hasStatusCodeFilter() && f.getStatusCodeFilter().getValue() > 599) {
            throw new PluginConfigException(field + ".status_code_filter.value: must be 0..599");
        }
        return new LogFilter(f.hasStatusCodeFilter() ? f.getStatusCodeFilter() : null,
                f.hasDurationFilter() ? f.getDurationFilter() : null, sampled,
                f.hasResponseFlagFilter() ? List.copyOf(f.getResponseFlagFilter().getFlagsList()) : null);
    }

    boolean accepts(StreamSummary s) {
        if (status != null && !compare(status, s.status())) return false;
        if (durationMs != null && !compare(durationMs, s.durationNanos() / 1_000_000)) return false;
        if (flags != null && !hasFlag(s.responseFlags())) return false;
        return sampledPer10k < 0 || sampled(s.requestId());
    }

    private static boolean compare(ComparisonFilter c, long actual) {
        long v = c.getValue();
        return switch (c.getOp()) {
            case GE -> actual >= v;
            case LE -> actual <= v;
            case NE -> actual != v;
            case EQ, UNRECOGNIZED -> actual == v;
        };
    }

    private boolean hasFlag(String set) {
        if (set == null || set.equals("-")) return false;
        if (flags.isEmpty()) return true;
        for (String f : set.split(",")) if (flags.contains(f)) return true;
        return false;
    }

    /** On the request id when there is one, so every log (and hop) keeps the same requests. */
    private boolean sampled(String requestId) {
        long r = requestId != null ? Hashing.hash64(requestId) : ThreadLocalRandom.current().nextLong();
        return Long.remainderUnsigned(r, 10_000) < sampledPer10k;
    }
}
