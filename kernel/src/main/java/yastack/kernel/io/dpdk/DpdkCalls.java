package yastack.kernel.io.dpdk;

import java.lang.foreign.MemorySegment;
import yastack.kernel.io.PacketIoException;

/**
 * Control-path downcalls. {@code invokeExact} declares Throwable; a checked one here can only mean a handle that
 * does not match its descriptor, so it becomes an AssertionError while runtime errors pass through.
 */
final class DpdkCalls {
    private DpdkCalls() {}

    @FunctionalInterface
    interface IntCall {
        int call() throws Throwable;
    }

    @FunctionalInterface
    interface SegCall {
        MemorySegment call() throws Throwable;
    }

    static int call(IntCall c) {
        try {
            return c.call();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static MemorySegment callSeg(SegCall c) {
        try {
            return c.call();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** DPDK returns a negative errno on failure: turn it into an exception naming the call, the port and its driver. */
    static void check(DpdkNative nat, int rc, String what, String port, String driver) {
        if (rc < 0) {
            throw new PacketIoException(what + " on " + port + " (" + (driver == null ? "?" : driver) + "): "
                    + nat.describe(rc));
        }
    }
}
