package yastack.proxy;

import io.netty.util.concurrent.EventExecutor;
import yastack.api.RetryRules;
import yastack.kernel.loop.TimerWheel;

/**
 * The circuit-breaker slots an upstream leg holds: one of the cluster's max_requests from the
 * moment its request has a connection to the exchange's end (kept across retries), and one
 * of max_retries from its first retry to the end. A base class, as its timeouts are, so a
 * request costs no extra object.
 */
abstract class UpstreamLegSlots extends UpstreamLegTimeouts {
    /** The cluster whose breakers these slots are (the leg's own cluster). */
    final UpstreamCluster cluster;
    private boolean requestSlot;
    private boolean retrySlot;

    UpstreamLegSlots(TimerWheel timers, EventExecutor executor, long timeoutMillis, RetryRules rules,
                     UpstreamCluster cluster) {
        super(timers, executor, timeoutMillis, rules);
        this.cluster = cluster;
    }

    /**
     * max_requests counts requests on a connection, as Envoy's does: one waiting for a
     * connection is bounded by max_pending_requests instead, so on HTTP/1.1 (a request per
     * connection) max_connections and max_pending_requests decide, and 2,000 clients at once
     * are served by 1,024 connections and a queue rather than refused.
     */
    final boolean takeRequestSlot() {
        if (requestSlot) return true;
        if (!cluster.runtime.breakers().tryRequest()) return false;
        requestSlot = true;
        cluster.stats.rqActive.inc();
        return true;
    }

    /** A retry holds a max_retries slot until the leg ends; false (counted) when none is free. */
    final boolean takeRetrySlot() {
        if (retrySlot) return true;
        if (!cluster.runtime.breakers().tryRetry()) {
            cluster.stats.rqRetryOverflow.inc();
            return false;
        }
        retrySlot = true;
        return true;
    }

    final void releaseSlots() {
        if (retrySlot) {
            retrySlot = false;
            cluster.runtime.breakers().retryEnded();
        }
        if (requestSlot) {
            requestSlot = false;
            cluster.runtime.breakers().requestEnded();
            cluster.stats.rqActive.dec();
        }
    }
}
