package yastack.proxy;

import io.netty.handler.codec.http.HttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.SplittableRandom;
import yastack.api.RetryRules;

/**
 * One exchange's retries under its route's policy: the tries left, the request body kept
 * for replay, and the back-off. The body is kept as retained duplicates of what went
 * upstream, so replaying costs no copy; past {@link #REPLAY_LIMIT} it is dropped and the
 * request is no longer retried (as Envoy does when its buffer limit is hit).
 */
final class RetryState {
    static final int REPLAY_LIMIT = 64 * 1024;
    /** Envoy's defaults: 25 ms base interval, at most ten times that. */
    private static final long BASE_MILLIS = 25;
    private static final long MAX_MILLIS = 250;

    private final RetryRules rules;
    private int used;
    private final ArrayList<HttpContent> replay = new ArrayList<>();
    private long replayBytes;
    private boolean overflowed;

    RetryState(RetryRules rules) {
        this.rules = rules;
    }

    RetryRules rules() {
        return rules;
    }

    /** Keeps request body content as it arrives (before it goes upstream and is released). */
    void keep(HttpContent c) {
        if (overflowed) return;
        replayBytes += c.content().readableBytes();
        if (replayBytes > REPLAY_LIMIT) {
            overflowed = true;
            release();
            return;
        }
        replay.add(c.retainedDuplicate());
    }

    boolean canRetry() {
        return used < rules.numRetries() && !overflowed;
    }

    /** A retriable failure with every retry spent (not a body too large to replay). */
    boolean exhausted() {
        return used >= rules.numRetries();
    }

    int used() {
        return used;
    }

    /** Counts a retry and returns its delay: full jitter over base * (2^n - 1), capped. */
    long nextDelayMillis(SplittableRandom random) {
        used++;
        long ceiling = Math.min(MAX_MILLIS, BASE_MILLIS * ((1L << Math.min(used, 16)) - 1));
        return random.nextLong(ceiling + 1);
    }

    /** Replaces what was waiting to go upstream with the whole body received so far. */
    void refill(ArrayDeque<HttpContent> pending) {
        pending.forEach(ReferenceCountUtil::release);
        pending.clear();
        for (HttpContent c : replay) pending.add(c.retainedDuplicate());
    }

    void release() {
        replay.forEach(ReferenceCountUtil::release);
        replay.clear();
    }
}
