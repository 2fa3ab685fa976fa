package yastack.kernel.io.tap;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import yastack.kernel.io.BufferSlots;
import yastack.kernel.io.MacAddress;
import yastack.kernel.io.PacketIoException;
import yastack.kernel.io.PacketPort;
import yastack.kernel.io.PortStats;
import yastack.kernel.io.QueueCounters;
import yastack.kernel.io.RxBatch;
import yastack.kernel.io.TxBatch;

/**
 * A Linux TAP device driven from Java through FFM: one non-blocking fd per queue
 * ({@code IFF_MULTI_QUEUE} when there are several, the kernel then spreads flows over them),
 * one read(2) or write(2) per frame. The kernel side of the interface is the peer: frames
 * written here are received by the host's network stack and vice versa. Without
 * {@code IFF_VNET_HDR} the kernel hands over finished frames (checksums complete, no GSO).
 */
public final class TapPort implements PacketPort {
    private static final long TUNSETIFF = 0x400454caL;
    private static final long SIOCGIFFLAGS = 0x8913, SIOCSIFFLAGS = 0x8914;
    private static final long SIOCGIFMTU = 0x8921, SIOCSIFMTU = 0x8922;
    private static final short IFF_UP = 0x1, IFF_RUNNING = 0x40;
    private static final short IFF_TAP = 0x0002, IFF_NO_PI = 0x1000, IFF_MULTI_QUEUE = 0x0100;
    private static final int IFREQ_SIZE = 40, IFNAMSIZ = 16;

    private final String name;
    private final int[] fds;
    private final MacAddress mac;
    private final int mtu;
    private final int slotSize;
    private final QueueCounters[] counters;
    private final Arena arena = Arena.ofShared();
    private volatile boolean closed;

    private TapPort(String name, int[] fds, MacAddress mac, int mtu) {
        this.name = name;
        this.fds = fds;
        this.mac = mac;
        this.mtu = mtu;
        // room for Ethernet + VLAN headers, rounded to a cache line; never under 2 KiB
        this.slotSize = Math.max(2048, (mtu + 18 + 63) & ~63);
        this.counters = new QueueCounters[fds.length];
        for (int q = 0; q < fds.length; q++) {
            counters[q] = new QueueCounters();
        }
    }

    /** Creates (or attaches to) the TAP device, sets its MTU and brings its link up. Needs CAP_NET_ADMIN. */
    public static TapPort open(TapConfig config) {
        int[] fds = new int[config.queues()];
        Arrays.fill(fds, -1);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment errno = Libc.newErrnoSlot(a);
            MemorySegment path = a.allocateFrom("/dev/net/tun");
            String actual = config.name();
            for (int q = 0; q < fds.length; q++) {
                int fd = Libc.open(errno, path, Libc.O_RDWR | Libc.O_NONBLOCK | Libc.O_CLOEXEC);
                if (fd < 0) {
                    throw failure("open /dev/net/tun", Libc.errno(errno),
                            "load the tun module (modprobe tun) and run with CAP_NET_ADMIN");
                }
                fds[q] = fd;
                MemorySegment ifr = ifreq(a, actual);
                short flags = (short) (IFF_TAP | IFF_NO_PI | (fds.length > 1 ? IFF_MULTI_QUEUE : 0));
                ifr.set(ValueLayout.JAVA_SHORT, IFNAMSIZ, flags);
                if (Libc.ioctl(errno, fd, TUNSETIFF, ifr) < 0) {
                    throw failure("TUNSETIFF " + actual + " (queue " + q + ")", Libc.errno(errno),
                            "needs CAP_NET_ADMIN; an existing device must be a TAP with the same queue mode");
                }
                actual = ifr.getString(0, StandardCharsets.US_ASCII);
            }
            int ctl = Libc.socket(errno, Libc.AF_INET, Libc.SOCK_DGRAM, 0);
            if (ctl < 0) {
                throw failure("socket(AF_INET)", Libc.errno(errno), "");
            }
            int mtu;
            try {
                MemorySegment ifr = ifreq(a, actual);
                if (config.mtu() != 0) {
                    ifr.set(ValueLayout.JAVA_INT, IFNAMSIZ, config.mtu());
                    check(Libc.ioctl(errno, ctl, SIOCSIFMTU, ifr), errno, "SIOCSIFMTU " + actual + " " + config.mtu());
                }
                check(Libc.ioctl(errno, ctl, SIOCGIFMTU, ifr), errno, "SIOCGIFMTU " + actual);
                mtu = ifr.get(ValueLayout.JAVA_INT, IFNAMSIZ);
                check(Libc.ioctl(errno, ctl, SIOCGIFFLAGS, ifr), errno, "SIOCGIFFLAGS " + actual);
                short f = ifr.get(ValueLayout.JAVA_SHORT, IFNAMSIZ);
                ifr.set(ValueLayout.JAVA_SHORT, IFNAMSIZ, (short) (f | IFF_UP));
                check(Libc.ioctl(errno, ctl, SIOCSIFFLAGS, ifr), errno, "SIOCSIFFLAGS up " + actual);
            } finally {
                Libc.close(ctl);
            }
            MacAddress mac = config.mac() != null ? config.mac() : MacAddress.randomLocal();
            return new TapPort(actual, fds, mac, mtu);
        } catch (RuntimeException e) {
            for (int fd : fds) {
                if (fd >= 0) {
                    Libc.close(fd);
                }
            }
            throw e;
        }
    }

    private static MemorySegment ifreq(Arena a, String name) {
        MemorySegment ifr = a.allocate(IFREQ_SIZE);
        byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        MemorySegment.copy(n, 0, ifr, ValueLayout.JAVA_BYTE, 0, n.length);
        return ifr;
    }

    private static void check(int rc, MemorySegment errno, String what) {
        if (rc < 0) {
            throw failure(what, Libc.errno(errno), "");
        }
    }

    private static PacketIoException failure(String what, int errno, String hint) {
        return new PacketIoException(what + " failed: " + Libc.strerror(errno) + (hint.isEmpty() ? "" : "; " + hint));
    }

    @Override public String name() { return name; }

    @Override public int queueCount() { return fds.length; }

    @Override public MacAddress mac() { return mac; }

    @Override public int mtu() { return mtu; }

    /** The kernel's flags: administratively up and carrier present. */
    @Override
    public boolean linkUp() {
        if (closed) {
            return false;
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment errno = Libc.newErrnoSlot(a);
            int ctl = Libc.socket(errno, Libc.AF_INET, Libc.SOCK_DGRAM, 0);
            if (ctl < 0) {
                return false;
            }
            try {
                MemorySegment ifr = ifreq(a, name);
                if (Libc.ioctl(errno, ctl, SIOCGIFFLAGS, ifr) < 0) {
                    return false;
                }
                short f = ifr.get(ValueLayout.JAVA_SHORT, IFNAMSIZ);
                return (f & IFF_UP) != 0 && (f & IFF_RUNNING) != 0;
            } finally {
                Libc.close(ctl);
            }
        }
    }

    @Override
    public int selectableFd(int queue) {
        return fds[queue];
    }

    /** Blocks in poll(2) until {@code queue} is readable or the timeout passes; true if readable. */
    public boolean awaitReadable(int queue, int timeoutMillis) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment errno = Libc.newErrnoSlot(a);
            MemorySegment pfd = a.allocate(8);
            pfd.set(ValueLayout.JAVA_INT, 0, fds[queue]);
            pfd.set(ValueLayout.JAVA_SHORT, 4, Libc.POLLIN);
            int rc = Libc.poll(errno, pfd, 1, timeoutMillis);
            return rc > 0 && (pfd.get(ValueLayout.JAVA_SHORT, 6) & Libc.POLLIN) != 0;
        }
    }

    @Override
    public RxBatch newRxBatch() {
        return new TapRxBatch();
    }

    @Override
    public int receiveBurst(int queue, RxBatch batch) {
        if (!(batch instanceof TapRxBatch b) || batch.port() != this) {
            throw new IllegalArgumentException("batch does not belong to " + name);
        }
        b.release();
        int fd = fds[queue];
        ensureOpen();
        int n = 0;
        long bytes = 0;
        while (n < MAX_BURST) {
            long off = (long) n * slotSize;
            long r = Libc.read(b.errno, fd, b.buffer().address() + off, slotSize);
            if (r <= 0) {
                if (r < 0) {
                    int e = Libc.errno(b.errno);
                    if (e != Libc.EAGAIN && e != Libc.EINTR) {
                        counters[queue].rxErrors(1);
                    }
                }
                break;
            }
            b.set(n++, off, (int) r);
            bytes += r;
        }
        b.filled(queue, n);
        if (n > 0) {
            counters[queue].received(n, bytes);
        }
        return n;
    }

    // buffers go to read/write as raw addresses: never after the arena is gone
    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("port " + name + " is closed");
        }
    }

    @Override
    public TxBatch newTxBatch(int queue) {
        if (queue < 0 || queue >= fds.length) {
            throw new IndexOutOfBoundsException("queue " + queue);
        }
        return new TapTxBatch(queue);
    }

    /**
     * Queue counters, plus, at port level, frames the kernel could not queue towards us
     * (the interface's tx_dropped: our receive ring was full).
     */
    @Override
    public PortStats stats() {
        PortStats s = QueueCounters.sum(counters);
        long kernelDrops = readSysfs("tx_dropped");
        return kernelDrops <= 0 ? s : s.plus(new PortStats(0, 0, 0, 0, 0, kernelDrops, 0, 0, 0, 0));
    }

    private long readSysfs(String counter) {
        try {
            return Long.parseLong(Files.readString(Path.of("/sys/class/net", name, "statistics", counter)).trim());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    @Override
    public PortStats queueStats(int queue) {
        return counters[queue].snapshot();
    }

    /** Closes every queue fd; the kernel removes the (non-persistent) device with the last one. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (int fd : fds) {
            Libc.close(fd);
        }
        arena.close();
    }

    private final class TapRxBatch extends RxBatch {
        final MemorySegment errno = Libc.newErrnoSlot(arena);

        TapRxBatch() {
            super(TapPort.this);
            this.buffer = arena.allocate((long) MAX_BURST * slotSize, 64);
        }

        void set(int i, long off, int len) {
            offsets[i] = off;
            lengths[i] = len;
        }

        void filled(int q, int n) {
            queue = q;
            count = n;
        }

        @Override
        protected void releaseFrames(int n) {
            // the batch's own buffers: nothing to hand back
        }
    }

    private final class TapTxBatch extends TxBatch {
        private final MemorySegment errno = Libc.newErrnoSlot(arena);
        private final BufferSlots slots;
        private final int fd;

        TapTxBatch(int queue) {
            super(queue);
            int count = MAX_BURST + 1;
            this.buffer = arena.allocate(BufferSlots.regionSize(count, slotSize), 64);
            this.slots = new BufferSlots(count, slotSize);
            this.fd = fds[queue];
        }

        @Override
        public int capacity() {
            return mtu + 18;
        }

        @Override
        protected long reserve(int slot) {
            long off = slots.take();
            if (off < 0) {
                counters[queue].txNoBuffer(1);
            }
            return off;
        }

        @Override
        protected void unreserve(int slot) {
            slots.give(offsets[slot]);
        }

        @Override
        protected void moveSlot(int from, int to) {
            // buffers are tracked by offset, which the base class already moved
        }

        @Override
        protected int transmit(int n) {
            ensureOpen();
            int sent = 0;
            long bytes = 0;
            int full = 0, errors = 0;
            for (int i = 0; i < n; i++) {
                long w = Libc.write(errno, fd, buffer.address() + offsets[i], lengths[i]);
                if (w == lengths[i]) {
                    sent++;
                    bytes += w;
                } else if (w < 0 && isBackpressure(Libc.errno(errno))) {
                    full++;
                } else {
                    errors++;
                }
                slots.give(offsets[i]);
            }
            QueueCounters c = counters[queue];
            c.transmitted(sent, bytes);
            if (full > 0) {
                c.txRingFull(full);
            }
            if (errors > 0) {
                c.txErrors(errors);
            }
            return sent;
        }

        private boolean isBackpressure(int e) {
            return e == Libc.EAGAIN || e == Libc.ENOBUFS || e == Libc.EINTR;
        }

        @Override
        protected void releaseAll() {
            // the region belongs to the port's arena and goes with it
        }
    }
}
