package yastack.proxy.cluster;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Passive health (outlier detection): consecutive connect failures eject an endpoint for
 * a time that grows with each ejection; a success resets it. Only failures and the first
 * success after one touch the shared state, so the hot path stays read-only. Active
 * health checking, when the cluster has it, adds its own verdict: an endpoint failing its
 * checks is unhealthy whatever the passive state says.
 */
public final class EndpointHealth {
    static final int CONSECUTIVE_FAILURES_TO_EJECT = 5;
    static final long BASE_EJECTION_NANOS = 10_000_000_000L;

    private final AtomicInteger consecutiveFailures = new AtomicInteger();
    private volatile long ejectedUntil;
    private volatile int ejections;
    private volatile boolean failedActiveCheck;
    private volatile boolean failedEdsHealth;

    public boolean healthy(long nowNanos) {
        if (failedActiveCheck || failedEdsHealth) return false;
        long until = ejectedUntil;
        return until == 0 || nowNanos - until >= 0;
    }

    public void onConnectFailure(long nowNanos) {
        if (streakReaches(consecutiveFailures, CONSECUTIVE_FAILURES_TO_EJECT)) eject(nowNanos, BASE_EJECTION_NANOS);
    }

    private final AtomicInteger consecutive5xx = new AtomicInteger();

    /** A 5xx answer; true when it makes {@code threshold} in a row (the streak starts again). */
    public boolean on5xx(int threshold) {
        return streakReaches(consecutive5xx, threshold);
    }

    private static boolean streakReaches(AtomicInteger streak, int threshold) {
        if (streak.incrementAndGet() < threshold) return false;
        streak.set(0);
        return true;
    }

    /** A non-5xx answer ends a 5xx streak. */
    public void onAnswer() {
        if (consecutive5xx.get() != 0) consecutive5xx.set(0);
    }

    /** Ejects for {@code baseNanos} times the ejections so far (at most ten times). */
    public void eject(long nowNanos, long baseNanos) {
        int n = Math.min(ejections + 1, 10);
        ejections = n;
        ejectedUntil = nowNanos + baseNanos * n;
    }

    public void onSuccess() {
        if (consecutiveFailures.get() != 0) consecutiveFailures.set(0);
        if (ejectedUntil != 0) {
            ejectedUntil = 0;
            ejections = 0;
        }
    }

    /** Set by the cluster's health checker (on one thread); read by every worker. */
    public void failedActiveCheck(boolean failed) {
        failedActiveCheck = failed;
    }

    public boolean failedActiveCheck() {
        return failedActiveCheck;
    }

    /**
     * Set from the config at each version (an EDS {@code health_status} of unhealthy or
     * timeout): unhealthy whatever the checks say, until a version says otherwise.
     */
    public void failedEdsHealth(boolean failed) {
        failedEdsHealth = failed;
    }

    /** What the admin API shows: healthy, failed_eds_health, failed_active_hc or ejected (Envoy's flags). */
    public String state(long nowNanos) {
        if (failedEdsHealth) return "failed_eds_health";
        if (failedActiveCheck) return "failed_active_hc";
        return healthy(nowNanos) ? "healthy" : "ejected";
    }

    public int consecutiveFailures() {
        return consecutiveFailures.get();
    }
}
