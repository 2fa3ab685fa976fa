package yastack.proxy;

import io.netty.handler.codec.http.HttpResponseStatus;
import yastack.kernel.loop.TimerWheel;
import yastack.proxy.edge.EdgeStats;

/**
 * The timer behind the {@link StreamTimeouts} of the exchanges on one connection (or one
 * HTTP/2 stream): one timeout on the worker's {@link TimerWheel}, moved only when a deadline
 * comes before it, so with the default five-minute idle timeout a keep-alive connection
 * re-arms once every five minutes, not once per request. When it fires it checks the exchange
 * in flight and either ends it or sleeps until its next deadline (up to one wheel tick late).
 * It is itself the wheel's timeout: one object per connection or stream. A connection's own
 * idle timeout rides on it too ({@link #watchIdle}), so a kept-alive connection holds one timeout,
 * not two.
 */
final class StreamClock extends TimerWheel.Timeout {
    /** The connection whose idle timeout this clock keeps. */
    interface IdleConnection {
        /** An exchange is in flight or waiting: not idle, however quiet. */
        boolean busy();

        /** It has been quiet for the whole idle timeout. */
        void idleExpired();
    }

    private final TimerWheel timers;
    private long armedAt;
    private HttpExchange current;
    private IdleConnection idle;
    private long idleNanos;
    private long lastActive;

    StreamClock(TimerWheel timers) {
        this.timers = timers;
    }

    /** {@code ex} is the exchange in flight now. */
    void watch(HttpExchange ex) {
        current = ex;
        arm(ex.timeouts().nextDeadline(ex.requestComplete()));
    }

    /** A deadline of {@code ex} may have come closer (a route's idle timeout). */
    void deadlineMoved(HttpExchange ex) {
        if (ex == current) arm(ex.timeouts().nextDeadline(ex.requestComplete()));
    }

    private void arm(long at) {
        if (at == Long.MAX_VALUE) return;
        if (armed() && armedAt - at <= 0) return;
        armedAt = at;
        timers.armNanos(this, at - timers.now());
    }

    /**
     * Envoy's idle_timeout for {@code connection}: it is told once it has had no exchange in
     * flight and nothing read for {@code nanos}. Activity costs a clock read ({@link #active}),
     * not a re-arm: the clock looks only when it fires.
     */
    void watchIdle(IdleConnection connection, long nanos) {
        idle = connection;
        idleNanos = nanos;
        lastActive = timers.now();
        arm(lastActive + nanos);
    }

    /** Something was read or an exchange ended: the idle timeout starts again. */
    void active() {
        if (idle != null) lastActive = timers.now();
    }

    /** The connection stops being watched for idleness (it became a tunnel, with a timeout of its own). */
    void stopIdle() {
        idle = null;
    }

    @Override
    protected void fire() {
        long now = timers.now();
        long next = Long.MAX_VALUE;
        HttpExchange ex = current;
        if (ex != null && !ex.finished()) {
            StreamTimeouts.Expired expired = ex.timeouts().expired(now, ex.requestComplete());
            if (expired != null) timedOut(ex, expired);
            else next = ex.timeouts().nextDeadline(ex.requestComplete());
        }
        IdleConnection connection = idle;
        if (connection != null) {
            if (connection.busy()) {
                next = Math.min(next, now + idleNanos);
            } else if (now - lastActive >= idleNanos) {
                idle = null;
                connection.idleExpired();
            } else {
                next = Math.min(next, lastActive + idleNanos);
            }
        }
        arm(next);
    }

    /** 408 when the client is late with its request, 504 when the answer is, a cut connection once it has begun. */
    private static void timedOut(HttpExchange ex, StreamTimeouts.Expired why) {
        EdgeStats s = ex.down.stats.edge;
        switch (why) {
            case IDLE -> s.rqIdleTimeout.inc();
            case MAX_DURATION -> s.rqMaxDuration.inc();
            case REQUEST -> s.rqTimeout.inc();
        }
        String flag = why == StreamTimeouts.Expired.IDLE ? "SI" : "DT";
        if (ex.requestComplete()) ex.reply(ex.localResponse(HttpResponseStatus.GATEWAY_TIMEOUT, "stream timeout\n"), flag, false);
        else ex.reply(ex.localResponse(HttpResponseStatus.REQUEST_TIMEOUT, "request timeout\n"), flag, true);
    }

    /**
     * {@code ex} is done: forget it, so an idle keep-alive connection does not hold the last
     * request's headers; a pending tick finds nothing to do.
     */
    void finished(HttpExchange ex) {
        if (current == ex) current = null;
    }

    void stop() {
        current = null;
        idle = null;
        timers.cancel(this);
    }
}
