package yastack.kernel.io.mem;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import yastack.kernel.io.MacAddress;
import yastack.kernel.io.rss.Toeplitz;

/**
 * A deterministic Ethernet switch in memory, for tests and benchmarks: every frame a port
 * flushes is copied, in order and at once, into the receive ring of the port owning its
 * destination MAC (or of every other port for broadcast, multicast and unknown unicast).
 * Inside a port, software RSS (symmetric Toeplitz) picks the receive queue, as a NIC would.
 * No clock, no loss, no reordering: what a test sends is what the peer receives, unless a
 * receive ring is full, which is counted as {@code rxRingFull} on the receiving queue.
 */
public final class MemorySwitch {
    /** Default per-queue receive ring, in frames. */
    public static final int DEFAULT_RING = 1024;

    /** Copy-on-write: forwarding walks a plain array, with no iterator per frame. */
    private volatile MemoryPort[] ports = new MemoryPort[0];
    private final Toeplitz toeplitz;

    public MemorySwitch() {
        this(Toeplitz.symmetric());
    }

    public MemorySwitch(Toeplitz toeplitz) {
        this.toeplitz = Objects.requireNonNull(toeplitz);
    }

    /** Plugs in a new port with {@code queues} queue pairs and a 1500-byte MTU. */
    public MemoryPort attach(String name, MacAddress mac, int queues) {
        return attach(name, mac, queues, 1500, DEFAULT_RING);
    }

    public synchronized MemoryPort attach(String name, MacAddress mac, int queues, int mtu, int ringFrames) {
        for (MemoryPort p : ports) {
            if (p.mac().equals(mac)) {
                throw new IllegalArgumentException("MAC " + mac + " already attached as " + p.name());
            }
        }
        MemoryPort port = new MemoryPort(this, name, mac, queues, mtu, ringFrames, toeplitz);
        MemoryPort[] next = Arrays.copyOf(ports, ports.length + 1);
        next[ports.length] = port;
        ports = next;
        return port;
    }

    /** The ports attached now. */
    public List<MemoryPort> ports() {
        return List.of(ports);
    }

    synchronized void detach(MemoryPort port) {
        ports = Arrays.stream(ports).filter(p -> p != port).toArray(MemoryPort[]::new);
    }

    /** Delivers one frame sent by {@code from}. */
    void forward(MemoryPort from, MemorySegment buf, long off, int len) {
        long dst = MacAddress.readBits(buf, off);
        MemoryPort[] ports = this.ports;
        boolean group = ((dst >>> 40) & 1) != 0;
        if (!group) {
            for (MemoryPort p : ports) {
                if (p.macBits() == dst) {
                    if (p != from) {
                        p.deliver(buf, off, len);
                    }
                    return;
                }
            }
        }
        for (MemoryPort p : ports) {
            if (p != from) {
                p.deliver(buf, off, len);
            }
        }
    }
}
