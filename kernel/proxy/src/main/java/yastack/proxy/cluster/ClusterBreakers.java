package yastack.proxy.cluster;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import yastack.api.config.CircuitBreakers;

/**
 * A cluster's circuit breakers, Envoy's default-priority thresholds, counted across every
 * worker: connections to its endpoints ({@code max_connections}), requests waiting for a
 * connection ({@code max_pending_requests}), requests in flight ({@code max_requests}) and
 * retries in flight ({@code max_retries}). Each slot is taken atomically before what it
 * counts starts, so no two workers take the last one.
 * When a request starts waiting, or a connection closes while requests wait, every worker
 * is told: one holding a waiting request may connect, one holding only an idle connection
 * may give its slot up.
 */
public final class ClusterBreakers {
    /** Envoy's defaults. */
    public static final int DEFAULT_MAX_CONNECTIONS = 1024, DEFAULT_MAX_PENDING = 1024, DEFAULT_MAX_REQUESTS = 1024,
            DEFAULT_MAX_RETRIES = 3;

    private final int maxConnections, maxPending, maxRequests, maxRetries;
    private final AtomicInteger connections = new AtomicInteger(), pending = new AtomicInteger(),
            requests = new AtomicInteger(), retries = new AtomicInteger();
    private final List<Runnable> capacityListeners = new CopyOnWriteArrayList<>();

    public ClusterBreakers(CircuitBreakers c) {
        this.maxConnections = c.hasMaxConnections() ? c.getMaxConnections() : DEFAULT_MAX_CONNECTIONS;
        this.maxPending = c.hasMaxPendingRequests() ? c.getMaxPendingRequests() : DEFAULT_MAX_PENDING;
        this.maxRequests = c.hasMaxRequests() ? c.getMaxRequests() : DEFAULT_MAX_REQUESTS;
        this.maxRetries = c.hasMaxRetries() ? c.getMaxRetries() : DEFAULT_MAX_RETRIES;
    }

    private static boolean tryTake(AtomicInteger counter, int max) {
        while (true) {
            int n = counter.get();
            if (n >= max) return false;
            if (counter.compareAndSet(n, n + 1)) return true;
        }
    }

    /** Whether another connection may open now. */
    public boolean roomForConnection() {
        return connections.get() < maxConnections;
    }

    /**
     * Takes a connection slot for a connect about to start; false when max_connections are
     * open. One atomic step, so workers racing for the last slot cannot both win it.
     */
    public boolean tryConnection() {
        return tryTake(connections, maxConnections);
    }

    /** A connection counts from now on whatever the limit (one adopted from a cluster's previous version). */
    public void connectionOpened() {
        connections.incrementAndGet();
    }

    /** A connection closed: a worker with requests waiting may now open one. */
    public void connectionClosed() {
        connections.decrementAndGet();
        if (pending.get() > 0) capacityListeners.forEach(Runnable::run);
    }

    /** Takes a waiting slot (and tells the workers); false when max_pending_requests are already waiting. */
    public boolean tryPending() {
        if (!tryTake(pending, maxPending)) return false;
        capacityListeners.forEach(Runnable::run);
        return true;
    }

    /** Whether requests wait for a connection on any worker. */
    public boolean hasPending() {
        return pending.get() > 0;
    }

    public void pendingEnded() {
        pending.decrementAndGet();
    }

    /** Takes a request slot; false when max_requests are already in flight. */
    public boolean tryRequest() {
        return tryTake(requests, maxRequests);
    }

    public void requestEnded() {
        requests.decrementAndGet();
    }

    /** Takes a retry slot; false when max_retries are already in flight. */
    public boolean tryRetry() {
        return tryTake(retries, maxRetries);
    }

    public void retryEnded() {
        retries.decrementAndGet();
    }

    /** {@code listener} runs (on whichever thread it happens) when a request starts waiting or a connection closes while some wait. */
    public void onCapacity(Runnable listener) {
        capacityListeners.add(listener);
    }

    public void removeCapacityListener(Runnable listener) {
        capacityListeners.remove(listener);
    }

    /** Limits and what is in use, for the admin API. */
    public record State(int maxConnections, int connections, int maxPendingRequests, int pendingRequests,
                        int maxRequests, int requests, int maxRetries, int retries) {}

    public State state() {
        return new State(maxConnections, connections.get(), maxPending, pending.get(), maxRequests, requests.get(),
                maxRetries, retries.get());
    }
}
