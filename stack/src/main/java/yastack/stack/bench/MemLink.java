package yastack.stack.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import yastack.stack.Clock;
import yastack.stack.FrameSink;
import yastack.stack.NetStack;
import yastack.stack.StackConfig;
import yastack.stack.TcpConnection;
import yastack.stack.TcpHandler;

/**
 * Two stacks joined by preallocated frame rings, driven on the caller's thread. Nothing here allocates per frame,
 * so it measures (and proves allocation-free) the stacks themselves. Also hosts the bulk and request/response
 * workloads shared by the JMH benchmark, the runnable main and the allocation test.
 */
public final class MemLink {
    /** One direction: a ring of fixed frame buffers. */
    static final class Ring implements FrameSink {
        final MemorySegment[] slots;
        final int[] lens;
        int head, tail;
        final int mask;

        Ring(Arena arena, int n, int size) {
            slots = new MemorySegment[n];
            lens = new int[n];
            mask = n - 1;
            for (int i = 0; i < n; i++) {
                slots[i] = arena.allocate(size, 64);
            }
        }

        @Override
        public MemorySegment acquire(int capacity) {
            if (tail - head > mask) {
                return null;
            }
            return slots[tail & mask];
        }

        @Override
        public void send(MemorySegment buffer, int length) {
            lens[tail & mask] = length;
            tail++;
        }

        @Override
        public void flush() {
        }

        /** Feeds the frames queued so far into the receiver; returns how many. */
        int deliver(NetStack to) {
            int end = tail;
            int n = 0;
            while (head != end) {
                int i = head & mask;
                to.input(slots[i], lens[i]);
                head++;
                n++;
            }
            return n;
        }
    }

    static final int IP_A = (10 << 24) | 1, IP_B = (10 << 24) | 2;

    public final NetStack a, b;
    private final Ring aOut, bOut;
    private final Clock clock;

    public MemLink(int mtu, int buffer, Clock clock) {
        Arena arena = Arena.ofAuto();
        this.clock = clock;
        aOut = new Ring(arena, 8192, mtu + 64);
        bOut = new Ring(arena, 8192, mtu + 64);
        a = new NetStack(new StackConfig().mac(0x020000000001L).address(IP_A, 8).mtu(mtu).tcpSendBuffer(buffer)
                .tcpReceiveBuffer(buffer).randomSeed(1), clock, aOut);
        b = new NetStack(new StackConfig().mac(0x020000000002L).address(IP_B, 8).mtu(mtu).tcpSendBuffer(buffer)
                .tcpReceiveBuffer(buffer).randomSeed(2), clock, bOut);
    }

    /** Delivers frames both ways and runs timers once; returns frames moved. */
    public int step() {
        int n = aOut.deliver(b) + bOut.deliver(a);
        long now = clock.nanoTime();
        a.poll(now);
        b.poll(now);
        return n;
    }

    /** Runs steps until nothing moves (bounded). */
    public void settle() {
        for (int i = 0; i < 10_000 && step() > 0; i++) {
            // keep going
        }
    }

    // ------------------------------------------------------------------ bulk workload

    /** A->B stream: A's app keeps the send buffer full; B's app reads and discards. */
    public static final class Bulk {
        public final MemLink link;
        public TcpConnection sender;
        public TcpConnection receiver;
        private final ByteBuffer out;
        private final ByteBuffer in = ByteBuffer.allocateDirect(256 * 1024);
        public long received;

        public Bulk(MemLink link) {
            this.link = link;
            this.out = ByteBuffer.allocateDirect(256 * 1024);
            for (int i = 0; i < out.capacity(); i++) {
                out.put(i, (byte) i);
            }
            link.b.listen(5001, 16, c -> new TcpHandler() {
                @Override
                public void onReadable(TcpConnection conn) {
                    drain(conn);
                }
            });
            sender = link.a.connect(IP_B, 5001, 40000, new TcpHandler() {
                @Override
                public void onWritable(TcpConnection c) {
                    fill(c);
                }
            });
            link.settle();
            sender.setNoDelay(true);
        }

        void drain(TcpConnection c) {
            receiver = c;
            int n;
            do {
                in.clear();
                n = c.read(in);
                if (n > 0) {
                    received += n;
                }
            } while (n > 0);
        }

        void fill(TcpConnection c) {
            while (true) {
                out.clear();
                if (c.write(out) == 0) {
                    return;
                }
            }
        }

        /** Moves at least {@code bytes} more to the receiver; returns bytes moved. */
        public long transfer(long bytes) {
            long target = received + bytes;
            long start = received;
            for (int guard = 0; received < target && guard < 1_000_000; guard++) {
                fill(sender);
                link.step();
            }
            return received - start;
        }
    }

    // ------------------------------------------------------------------ request/response workload

    /** A sends a small request, B answers with a small response; one transaction outstanding. */
    public static final class RequestResponse {
        public final MemLink link;
        final TcpConnection client;
        private final ByteBuffer req;
        private final ByteBuffer resp;
        private final ByteBuffer scratch = ByteBuffer.allocateDirect(4096);
        long responses;

        public RequestResponse(MemLink link, int size) {
            this.link = link;
            req = ByteBuffer.allocateDirect(size);
            resp = ByteBuffer.allocateDirect(size);
            int sz = size;
            link.b.listen(5002, 16, c -> new TcpHandler() {
                long got;

                @Override
                public void onReadable(TcpConnection conn) {
                    int n;
                    do {
                        scratch.clear();
                        n = conn.read(scratch);
                        if (n > 0) {
                            got += n;
                        }
                    } while (n > 0);
                    while (got >= sz) {
                        got -= sz;
                        resp.clear();
                        conn.write(resp);
                    }
                }
            });
            client = link.a.connect(IP_B, 5002, 40001, new TcpHandler() {
                long got;

                @Override
                public void onReadable(TcpConnection conn) {
                    int n;
                    do {
                        scratch.clear();
                        n = conn.read(scratch);
                        if (n > 0) {
                            got += n;
                        }
                    } while (n > 0);
                    while (got >= sz) {
                        got -= sz;
                        responses++;
                    }
                }
            });
            link.settle();
            client.setNoDelay(true);
        }

        /** One full transaction. */
        public void transaction() {
            long want = responses + 1;
            req.clear();
            client.write(req);
            for (int guard = 0; responses < want && guard < 100_000; guard++) {
                link.step();
            }
        }
    }
}
