package yastack.plugin.ratelimit;

/**
 * A token bucket refilled lazily: every {@code fillIntervalNanos} adds
 * {@code tokensPerFill} tokens up to {@code maxTokens}. Starts full. Shared by
 * all workers; the lock is held for a few arithmetic operations only.
 */
final class TokenBucket {
    private final long maxTokens;
    private final long tokensPerFill;
    private final long fillIntervalNanos;
    private long tokens;
    private long lastFill;

    TokenBucket(long maxTokens, long tokensPerFill, long fillIntervalNanos, long now) {
        this.maxTokens = maxTokens;
        this.tokensPerFill = tokensPerFill;
        this.fillIntervalNanos = fillIntervalNanos;
        this.tokens = maxTokens;
        this.lastFill = now;
    }

    /**
     * Takes one token if there is one: returns -1; otherwise returns the
     * nanoseconds until the next fill.
     */
    synchronized long tryTake(long now) {
        refill(now);
        if (tokens > 0) {
            tokens--;
            return -1;
        }
        return lastFill + fillIntervalNanos - now;
    }

    /** Whether the bucket is full at {@code now} (an idle bucket can be forgotten). */
    synchronized boolean isFull(long now) {
        refill(now);
        return tokens >= maxTokens;
    }

    synchronized long tokens(long now) {
        refill(now);
        return tokens;
    }

    private void refill(long now) {
        long elapsed = now - lastFill;
        if (elapsed < fillIntervalNanos) return;
        long fills = elapsed / fillIntervalNanos;
        lastFill += fills * fillIntervalNanos;
        // Saturate instead of overflowing when a bucket sat idle for very long.
        long add = fills > maxTokens ? maxTokens : Math.min(maxTokens, fills * tokensPerFill);
        tokens = Math.min(maxTokens, tokens + add);
    }
}
