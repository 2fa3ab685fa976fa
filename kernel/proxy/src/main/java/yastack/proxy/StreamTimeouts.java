package yastack.proxy;

import yastack.proxy.edge.HttpEdgeSettings;

/**
 * One exchange's deadlines beyond the route timeout (Envoy's): idle (no bytes moving either
 * way for {@code stream_idle_timeout}, or the route's {@code idle_timeout}), its whole life
 * ({@code max_stream_duration}) and the time to receive the request ({@code request_timeout}).
 * Activity is a timestamp written as bytes move; nothing is scheduled here — the
 * connection's {@link StreamClock} asks when the next deadline is and checks it then.
 */
final class StreamTimeouts {
    /** Which deadline passed. */
    enum Expired { IDLE, MAX_DURATION, REQUEST }

    private static final long NONE = Long.MAX_VALUE;

    private final long start;
    private final long maxNanos;
    private final long requestNanos;
    private long idleNanos;
    private long lastActivity;

    StreamTimeouts(long startNanos, HttpEdgeSettings s) {
        this.start = startNanos;
        this.lastActivity = startNanos;
        this.idleNanos = nanos(s.streamIdleMillis());
        this.maxNanos = nanos(s.maxStreamMillis());
        this.requestNanos = nanos(s.requestMillis());
    }

    private static long nanos(long millis) {
        return millis <= 0 ? NONE : millis * 1_000_000L;
    }

    /** Bytes moved (request body in, response bytes from upstream) at {@code nowNanos}. */
    void activity(long nowNanos) {
        lastActivity = nowNanos;
    }

    /** The route's idle timeout replaces the listener's; 0: none. */
    void routeIdle(long millis) {
        idleNanos = nanos(millis);
    }

    /** When the earliest deadline falls (System.nanoTime), or {@link Long#MAX_VALUE} for none. */
    long nextDeadline(boolean requestComplete) {
        long next = at(lastActivity, idleNanos);
        next = Math.min(next, at(start, maxNanos));
        if (!requestComplete) next = Math.min(next, at(start, requestNanos));
        return next;
    }

    /** The deadline that has passed at {@code now}, or null. */
    Expired expired(long now, boolean requestComplete) {
        if (!requestComplete && now - at(start, requestNanos) >= 0) return Expired.REQUEST;
        if (now - at(start, maxNanos) >= 0) return Expired.MAX_DURATION;
        if (now - at(lastActivity, idleNanos) >= 0) return Expired.IDLE;
        return null;
    }

    private static long at(long from, long span) {
        return span == NONE ? NONE : from + span;
    }
}
