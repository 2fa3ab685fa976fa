package yastack.stack;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;

/** A Linux TAP device opened through pure FFM: /dev/net/tun + TUNSETIFF(IFF_TAP | IFF_NO_PI), non-blocking read/write. */
final class TapDevice implements AutoCloseable {
    private static final int O_RDWR = 2, O_NONBLOCK = 04000;
    private static final long TUNSETIFF = 0x400454caL;
    private static final short IFF_TAP = 0x0002, IFF_NO_PI = 0x1000;
    private static final MethodHandle OPEN, IOCTL, READ, WRITE, CLOSE, POLL;

    static {
        Linker l = Linker.nativeLinker();
        var lk = l.defaultLookup();
        OPEN = l.downcallHandle(lk.find("open").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT),
                Linker.Option.firstVariadicArg(2));
        IOCTL = l.downcallHandle(lk.find("ioctl").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS),
                Linker.Option.firstVariadicArg(2));
        READ = l.downcallHandle(lk.find("read").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
        WRITE = l.downcallHandle(lk.find("write").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
        CLOSE = l.downcallHandle(lk.find("close").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        POLL = l.downcallHandle(lk.find("poll").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
    }

    final String name;
    private final int fd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment pollfd;

    private TapDevice(String name, int fd) {
        this.name = name;
        this.fd = fd;
        this.pollfd = arena.allocate(8);
        pollfd.set(ValueLayout.JAVA_INT, 0, fd);
        pollfd.set(ValueLayout.JAVA_SHORT, 4, (short) 1); // POLLIN
    }

    static TapDevice open(String name) throws Throwable {
        try (Arena a = Arena.ofConfined()) {
            int fd = (int) OPEN.invokeExact(a.allocateFrom("/dev/net/tun"), O_RDWR | O_NONBLOCK, 0);
            if (fd < 0) {
                throw new IllegalStateException("open /dev/net/tun failed");
            }
            MemorySegment ifr = a.allocate(40);
            byte[] n = name.getBytes(StandardCharsets.US_ASCII);
            MemorySegment.copy(MemorySegment.ofArray(n), 0, ifr, 0, Math.min(15, n.length));
            ifr.set(ValueLayout.JAVA_SHORT, 16, (short) (IFF_TAP | IFF_NO_PI));
            int r = (int) IOCTL.invokeExact(fd, TUNSETIFF, ifr);
            if (r < 0) {
                int ignored = (int) CLOSE.invokeExact(fd);
                throw new IllegalStateException("TUNSETIFF failed for " + name);
            }
            return new TapDevice(name, fd);
        }
    }

    /** Waits up to timeoutMs for a frame to be readable. */
    boolean await(int timeoutMs) throws Throwable {
        int r = (int) POLL.invokeExact(pollfd, 1L, timeoutMs);
        return r > 0;
    }

    /** Reads one frame into buf; returns its length, or -1 when none is waiting. */
    int read(MemorySegment buf) throws Throwable {
        long r = (long) READ.invokeExact(fd, buf, buf.byteSize());
        return (int) r;
    }

    void write(MemorySegment buf, int len) throws Throwable {
        long r = (long) WRITE.invokeExact(fd, buf, (long) len);
        if (r != len && r >= 0) {
            throw new IllegalStateException("short TAP write " + r + " of " + len);
        }
    }

    @Override
    public void close() throws Exception {
        try {
            int ignored = (int) CLOSE.invokeExact(fd);
        } catch (Throwable t) {
            throw new Exception(t);
        } finally {
            arena.close();
        }
    }
}
