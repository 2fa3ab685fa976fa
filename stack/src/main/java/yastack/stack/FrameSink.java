package yastack.stack;

import java.lang.foreign.MemorySegment;

/**
 * Where the stack writes frames: the caller owns the buffers (a DPDK mbuf, a TAP write buffer, a ring slot),
 * the stack writes headers and payload straight into them and hands them back with their length.
 */
public interface FrameSink {
    /** A writable buffer of at least {@code capacity} bytes, or null when none is available (the frame is dropped and counted). */
    MemorySegment acquire(int capacity);

    /** Queues a frame acquired from this sink; {@code length} bytes starting at offset 0 are the Ethernet frame. */
    void send(MemorySegment buffer, int length);

    /** Pushes out everything queued since the last flush (the stack calls this at the end of {@link NetStack#poll}). */
    void flush();
}
