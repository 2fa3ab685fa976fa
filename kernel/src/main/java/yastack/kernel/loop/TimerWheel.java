package yastack.kernel.loop;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Coarse timeouts for one worker loop: a hashed wheel of {@link #TICK_MILLIS} ms slots.
 * Request and stream timeouts are armed and cancelled once per request and almost never
 * fire; here arming and cancelling only relink a {@link Timeout} the owner keeps and reuses
 * (no allocation, no priority-queue work), and one loop task per tick runs while anything is
 * armed. A timeout fires up to one tick late, never early. Loop thread only.
 */
public final class TimerWheel {
    public static final long TICK_MILLIS = 10;
    private static final int SLOTS = 512; // 5.12 s a turn; longer timeouts wait out their turns in place
    // Under traffic something is armed most of the time, but a lone keep-alive connection arms and
    // cancels between ticks: keep ticking for a second of nothing before stopping, so such a
    // request costs no scheduling either.
    private static final int IDLE_TICKS = 100;

    private final EventExecutor loop;
    private final LongSupplier clock;
    private final Timeout[] slots = new Timeout[SLOTS];
    private final long tickNanos = TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS);
    private final long start;
    private long processedTick;
    private int armed;
    /** Ticks in a row with nothing armed; the tick task stops after {@link #IDLE_TICKS}. */
    private int idleTicks;
    private ScheduledFuture<?> ticking;

    /** On a worker's loop, with its {@link LoopClock}: a timeout armed or fired reads no real clock. */
    public TimerWheel(EventExecutor loop, LoopClock clock) {
        this(loop, clock::nanoTime);
    }

    /** With a clock of its own (tests). */
    TimerWheel(EventExecutor loop, LongSupplier clock) {
        this.loop = loop;
        this.clock = clock;
        this.start = clock.getAsLong();
    }

    /** The wheel's clock (a worker's {@link LoopClock}): what deadlines armed on it count from. */
    public long now() {
        return clock.getAsLong();
    }

    /** One timeout an owner arms and cancels again and again; its action runs on the loop. */
    public static class Timeout {
        private final Runnable action;
        private TimerWheel wheel;
        private Timeout prev;
        private Timeout next;
        private long deadlineTick;
        private int slot;

        public Timeout(Runnable action) {
            this.action = action;
        }

        /**
         * For an owner that is itself the timeout and overrides {@link #fire()}: one object per
         * connection or stream instead of a timeout and an action beside it.
         */
        protected Timeout() {
            this.action = null;
        }

        /** Runs when the timeout is due (on the loop, already disarmed). */
        protected void fire() {
            action.run();
        }

        public final boolean armed() {
            return wheel != null;
        }
    }

    /** Arms {@code t} to fire in {@code delayMillis} (re-arming moves it). */
    public void arm(Timeout t, long delayMillis) {
        if (t.wheel != null) cancel(t);
        long now = tickOf(clock.getAsLong());
        // Round up, and fire strictly after the delay: the tick being processed is in the past.
        long ticks = Math.max(1, (delayMillis + TICK_MILLIS - 1) / TICK_MILLIS);
        t.deadlineTick = Math.max(now, processedTick) + ticks;
        t.slot = (int) (t.deadlineTick & (SLOTS - 1));
        t.wheel = this;
        t.prev = null;
        t.next = slots[t.slot];
        if (t.next != null) t.next.prev = t;
        slots[t.slot] = t;
        armed++;
        if (ticking == null) startTicking();
    }

    /** Arms {@code t} to fire in {@code delayNanos} (a deadline kept in System.nanoTime terms), rounded up to a millisecond. */
    public void armNanos(Timeout t, long delayNanos) {
        arm(t, TimeUnit.NANOSECONDS.toMillis(Math.max(0, delayNanos) + 999_999));
    }

    /** Disarms {@code t}; nothing happens if it is not armed. */
    public void cancel(Timeout t) {
        if (t.wheel != this) return;
        unlink(t);
        armed--;
    }

    /** Timeouts armed on this wheel. */
    public int armedCount() {
        return armed;
    }

    private void unlink(Timeout t) {
        if (t.prev != null) t.prev.next = t.next;
        else slots[t.slot] = t.next;
        if (t.next != null) t.next.prev = t.prev;
        t.prev = t.next = null;
        t.wheel = null;
    }

    private long tickOf(long nanos) {
        return (nanos - start) / tickNanos;
    }

    private void startTicking() {
        // Catch up on ticks that passed while nothing was armed: nothing was due in them.
        processedTick = Math.max(processedTick, tickOf(clock.getAsLong()));
        ticking = loop.scheduleAtFixedRate(this::advance, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Fires every timeout due up to now. Package-private for tests. */
    void advance() {
        long now = tickOf(clock.getAsLong());
        while (processedTick < now && armed > 0) {
            processedTick++;
            Timeout t = slots[(int) (processedTick & (SLOTS - 1))];
            while (t != null) {
                Timeout next = t.next;
                if (t.deadlineTick <= processedTick) {
                    cancel(t);
                    // An action may arm or cancel others (even `next`): re-read the slot then.
                    t.fire();
                    next = slots[(int) (processedTick & (SLOTS - 1))];
                    while (next != null && next.deadlineTick > processedTick) next = next.next;
                }
                t = next;
            }
        }
        if (armed > 0) {
            idleTicks = 0;
        } else {
            processedTick = Math.max(processedTick, now);
            if (++idleTicks >= IDLE_TICKS && ticking != null) {
                ticking.cancel(false);
                ticking = null;
                idleTicks = 0;
            }
        }
    }

    /** Whether the tick task runs (tests). */
    boolean ticking() {
        return ticking != null;
    }
}
