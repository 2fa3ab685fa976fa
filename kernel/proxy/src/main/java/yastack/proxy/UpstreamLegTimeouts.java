package yastack.proxy;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import yastack.api.RetryRules;
import yastack.kernel.loop.TimerWheel;

/**
 * When an upstream leg has waited too long: the route timeout (armed once, across every try),
 * the per-try timeout and per_try_idle_timeout (restarted with each try). This class keeps the
 * clocks; what a timeout does is {@link UpstreamLeg}'s. A base class rather than a field, and
 * itself the route timeout's wheel entry, so a request costs no extra object for either;
 * everything runs on the leg's worker thread.
 */
abstract class UpstreamLegTimeouts extends TimerWheel.Timeout {
    private final TimerWheel timers;
    private final EventExecutor executor;
    private final long timeoutMillis;
    /** The route's retry rules, null without a retry policy (then no per-try timeouts). */
    private final RetryRules rules;
    /** The route timeout (this object on the wheel) was armed: once, when the request has been sent, across every try. */
    private boolean routeTimeoutArmed;
    private TimerWheel.Timeout perTryTimeout;
    private ScheduledFuture<?> perTryIdle;
    /** When this try last received upstream bytes (the loop clock); per_try_idle_timeout counts from it. */
    private long lastUpstreamBytes;

    UpstreamLegTimeouts(TimerWheel timers, EventExecutor executor, long timeoutMillis, RetryRules rules) {
        this.timers = timers;
        this.executor = executor;
        this.timeoutMillis = timeoutMillis;
        this.rules = rules;
    }

    /** The exchange is over: no timeout may act. */
    abstract boolean exchangeFinished();

    /** This try holds an upstream connection. */
    abstract boolean connected();

    /** The route timeout passed. */
    abstract void onTimeout();

    /** The per-try timeout passed. */
    abstract void onPerTryTimeout();

    /** per_try_idle_timeout passed without upstream bytes. */
    abstract void onPerTryIdleTimeout();

    /** The route timeout runs once, across every try; the per-try ones restart with each. */
    final void armTimeouts() {
        armRouteTimeout();
        if ((perTryTimeout == null || !perTryTimeout.armed()) && rules != null && !rules.perTryTimeout().isZero()) {
            if (perTryTimeout == null) perTryTimeout = new TimerWheel.Timeout(this::onPerTryTimeout);
            timers.arm(perTryTimeout, rules.perTryTimeout().toMillis());
        }
        if (perTryIdle == null && rules != null && !rules.perTryIdleTimeout().isZero()) {
            lastUpstreamBytes = timers.now();
            perTryIdle = executor.schedule(this::checkPerTryIdle, rules.perTryIdleTimeout().toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    final void armRouteTimeout() {
        if (!routeTimeoutArmed && timeoutMillis > 0) {
            routeTimeoutArmed = true;
            timers.arm(this, timeoutMillis);
        }
    }

    /** The route timeout is due. */
    @Override
    protected final void fire() {
        onTimeout();
    }

    /** Upstream bytes arrived: the idle clock starts over. */
    final void upstreamBytes() {
        if (perTryIdle != null) lastUpstreamBytes = timers.now();
    }

    /**
     * per_try_idle_timeout (nginx's proxy_read_timeout): checked when it could have passed and
     * moved on when bytes came since.
     */
    private void checkPerTryIdle() {
        perTryIdle = null;
        if (exchangeFinished() || !connected()) return;
        long idle = rules.perTryIdleTimeout().toNanos();
        long left = lastUpstreamBytes + idle - timers.now();
        if (left > 0) {
            perTryIdle = executor.schedule(this::checkPerTryIdle, left, TimeUnit.NANOSECONDS);
            return;
        }
        onPerTryIdleTimeout();
    }

    final void cancelPerTryTimeout() {
        cancel(perTryTimeout);
    }

    /** This try is over: its per-try timeouts stop. */
    final void cancelPerTryTimeouts() {
        cancel(perTryTimeout);
        if (perTryIdle != null) perTryIdle.cancel(false);
        perTryIdle = null;
    }

    final void cancelTimeouts() {
        timers.cancel(this);
        cancel(perTryTimeout);
        if (perTryIdle != null) perTryIdle.cancel(false);
    }

    private void cancel(TimerWheel.Timeout t) {
        if (t != null) timers.cancel(t);
    }
}
