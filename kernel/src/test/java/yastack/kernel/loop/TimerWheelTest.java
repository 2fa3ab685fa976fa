package yastack.kernel.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The wheel on a loop whose clock the test moves (an embedded channel's loop runs tasks only when told). */
class TimerWheelTest {
    private final EmbeddedChannel channel = new EmbeddedChannel();
    private long nanos = 1_000_000_000L;
    private final TimerWheel wheel = new TimerWheel(channel.eventLoop(), () -> nanos);
    private final List<String> fired = new ArrayList<>();

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    private void passMillis(long millis) {
        // Step tick by tick, as the loop's fixed-rate task would run.
        for (long t = 0; t < millis; t += TimerWheel.TICK_MILLIS) {
            nanos += TimeUnit.MILLISECONDS.toNanos(TimerWheel.TICK_MILLIS);
            wheel.advance();
        }
    }

    private TimerWheel.Timeout timeout(String name) {
        return new TimerWheel.Timeout(() -> fired.add(name));
    }

    @Test
    void firesAfterItsDelayNeverBefore() {
        wheel.arm(timeout("a"), 35);
        passMillis(30);
        assertEquals(List.of(), fired);
        passMillis(20);
        assertEquals(List.of("a"), fired);
        assertEquals(0, wheel.armedCount());
    }

    @Test
    void aDelayInNanosecondsIsRoundedUpNeverDown() {
        wheel.armNanos(timeout("a"), 30_000_001); // just over 30 ms: due after the 40 ms tick, not the 30 ms one
        passMillis(30);
        assertEquals(List.of(), fired);
        passMillis(20);
        assertEquals(List.of("a"), fired);
        wheel.armNanos(timeout("late"), -5); // a deadline already passed fires at the next tick
        passMillis(10);
        assertEquals(List.of("a", "late"), fired);
    }

    @Test
    void anOwnerThatIsItsOwnTimeoutFiresThroughItsOverride() {
        class Owner extends TimerWheel.Timeout {
            int fires;

            @Override
            protected void fire() {
                fires++;
                if (fires == 1) wheel.arm(this, 20); // re-arms itself from inside its own firing
            }
        }
        Owner o = new Owner();
        wheel.arm(o, 15);
        passMillis(20);
        assertEquals(1, o.fires);
        assertTrue(o.armed());
        passMillis(30);
        assertEquals(2, o.fires);
        assertFalse(o.armed());
    }

    @Test
    void aCancelledTimeoutNeverFires() {
        TimerWheel.Timeout a = timeout("a");
        wheel.arm(a, 20);
        wheel.cancel(a);
        assertFalse(a.armed());
        passMillis(100);
        assertEquals(List.of(), fired);
    }

    @Test
    void reArmingMovesTheDeadline() {
        TimerWheel.Timeout a = timeout("a");
        wheel.arm(a, 20);
        passMillis(10);
        wheel.arm(a, 50);
        passMillis(40);
        assertEquals(List.of(), fired);
        passMillis(30);
        assertEquals(List.of("a"), fired);
    }

    @Test
    void timeoutsLongerThanATurnWaitOutTheirTurns() {
        wheel.arm(timeout("long"), 12_000);   // more than two turns of 5.12 s
        wheel.arm(timeout("short"), 100);
        passMillis(11_900);
        assertEquals(List.of("short"), fired);
        passMillis(200);
        assertEquals(List.of("short", "long"), fired);
    }

    @Test
    void anActionMayArmAndCancelOthersInTheSameSlot() {
        TimerWheel.Timeout b = timeout("b");
        TimerWheel.Timeout c = timeout("c");
        TimerWheel.Timeout a = new TimerWheel.Timeout(() -> {
            fired.add("a");
            wheel.cancel(b);
            wheel.arm(c, 10);
        });
        wheel.arm(b, 30);
        wheel.arm(a, 30);
        passMillis(30);
        assertEquals(List.of("a"), fired);
        passMillis(20);
        assertEquals(List.of("a", "c"), fired);
    }

    @Test
    void theTickTaskStopsAfterASecondOfNothingArmed() {
        TimerWheel.Timeout a = timeout("a");
        wheel.arm(a, 10);
        assertTrue(wheel.ticking());
        wheel.cancel(a);
        passMillis(500);
        assertTrue(wheel.ticking(), "a lone connection's next request should not pay for a new tick task");
        passMillis(600);
        assertFalse(wheel.ticking());
        wheel.arm(a, 10);                     // and starts again when needed
        assertTrue(wheel.ticking());
        passMillis(20);
        assertEquals(List.of("a"), fired);
    }
}
