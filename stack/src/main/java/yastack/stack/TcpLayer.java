package yastack.stack;

import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import java.util.function.IntPredicate;

/** TCP demultiplexing, listeners and the connection registry of one shard; {@link TcpHandshake} opens connections. */
final class TcpLayer {
    final NetStack stack;
    final StackConfig cfg;
    final TcpTable table = new TcpTable();
    final TcpSegment seg = new TcpSegment();
    final TcpTimerHeap timerHeap = new TcpTimerHeap();
    private final TcpListener[] listeners = new TcpListener[65536];
    private TcpConnection[] list = new TcpConnection[64];
    private int count;
    int halfOpenTotal;
    private final SplittableRandom random;
    final TcpHandshake handshake;
    private long challengeWindowStart;
    private int challengeCount;
    /** Test hook: when non-null every new connection starts at this ISN (sequence-wrap tests). */
    Integer fixedIss;

    TcpLayer(NetStack stack) {
        this.stack = stack;
        this.cfg = stack.cfg;
        this.random = new SplittableRandom(cfg.randomSeed);
        // draws the ISN and cookie keys first, then the ports: seeded runs stay reproducible
        this.handshake = new TcpHandshake(this, random);
    }

    /** The shard's notion of now: cached while processing input/poll, read from the clock for API calls from outside. */
    long now() {
        return stack.currentTime();
    }

    TcpListener listenerFor(int port) {
        return listeners[port];
    }

    // ---------------------------------------------------------------- registry

    void register(TcpConnection c) {
        table.put(c.key, c);
        if (count == list.length) {
            list = java.util.Arrays.copyOf(list, count * 2);
        }
        c.listIndex = count;
        list[count++] = c;
    }

    void setState(TcpConnection c, TcpState s) {
        c.state = s;
    }

    /** Removes c from the shard; it becomes CLOSED. Safe to call twice. */
    void destroy(TcpConnection c) {
        if (c.listIndex < 0) {
            c.state = TcpState.CLOSED;
            return;
        }
        if (c.state == TcpState.SYN_RECEIVED && c.listener != null) {
            c.listener.halfOpen--;
            halfOpenTotal--;
        }
        table.remove(c.key, c);
        timerHeap.remove(c);
        int i = c.listIndex;
        TcpConnection last = list[--count];
        list[i] = last;
        last.listIndex = i;
        list[count] = null;
        c.listIndex = -1;
        c.state = TcpState.CLOSED;
        c.rtoDeadline = c.delackDeadline = c.persistDeadline = c.keepaliveDeadline = c.waitDeadline = TcpConnection.NEVER;
        c.sendBuf.release();
        c.recvBuf.release();
    }

    void enterTimeWait(TcpConnection c, long now) {
        setState(c, TcpState.TIME_WAIT);
        c.rtoDeadline = c.persistDeadline = c.keepaliveDeadline = c.delackDeadline = TcpConnection.NEVER;
        c.waitDeadline = now + cfg.timeWaitNanos;
        timerHeap.schedule(c);
        c.sendBuf.release(); // everything was acknowledged; a TIME_WAIT entry keeps no buffer memory
        c.recvBuf.release();
        stack.stats.inc(Stat.TCP_CONN_CLOSED);
        notifyClosed(c);
    }

    void closedOrderly(TcpConnection c) {
        destroy(c);
        stack.stats.inc(Stat.TCP_CONN_CLOSED);
        notifyClosed(c);
    }

    private void notifyClosed(TcpConnection c) {
        if (!c.closeNotified) {
            c.closeNotified = true;
            c.handler.onClosed(c);
        }
    }

    long[] countByState() {
        long[] r = new long[TcpState.values().length];
        for (int i = 0; i < count; i++) {
            r[list[i].state.ordinal()]++;
        }
        for (TcpListener l : listeners) {
            if (l != null) {
                r[TcpState.LISTEN.ordinal()]++;
            }
        }
        return r;
    }

    int connectionCount() {
        return count;
    }

    /** The i-th live connection, 0 <= i < {@link #connectionCount()}; destroying one reorders the rest. */
    TcpConnection connection(int i) {
        return list[i];
    }

    // ---------------------------------------------------------------- input

    void input(MemorySegment b, long off, int len, int src, int dst, int tos) {
        StackStats st = stack.stats;
        st.inc(Stat.TCP_RX);
        if (len < 20) {
            st.inc(Stat.TCP_DROP_TRUNCATED);
            return;
        }
        int doff = (Wire.u8(b, off + 12) >>> 4) * 4;
        if (doff < 20 || doff > len) {
            st.inc(Stat.TCP_DROP_BAD_HEADER);
            return;
        }
        if (Wire.fold(Wire.sum(b, off, len, Wire.pseudo(src, dst, NetStack.PROTO_TCP, len))) != 0) {
            st.inc(Stat.TCP_DROP_BAD_CHECKSUM);
            return;
        }
        // No flag combination is rejected here: each state decides (RFC 9293 3.10.7 checks RST before SYN before
        // ACK, so SYN+RST is a RST and SYN+FIN a SYN), and a closed port answers anything but a RST with a RST.
        TcpSegment s = seg;
        s.parse(b, off, len, src, dst);
        s.tos = tos;
        if (s.srcPort == 0 || s.dstPort == 0) {
            st.inc(Stat.TCP_DROP_BAD_PORT);
            return;
        }
        if (!cfg.flowFilter.owns(NetStack.PROTO_TCP, src, s.srcPort, dst, s.dstPort)) {
            st.inc(Stat.TCP_DROP_NOT_OWNED);
            return;
        }
        long now = stack.now;
        TcpConnection c = table.get(TcpTable.key(src, s.srcPort, s.dstPort));
        if (c != null) {
            // Option lengths Linux refuses before a socket's state sees them; TIME_WAIT is spared there too.
            if (s.badOptionLength && c.state != TcpState.TIME_WAIT) {
                st.inc(Stat.TCP_DROP_BAD_OPTIONS);
                return;
            }
            if (!TcpInput.segmentArrives(c, s, now)) {
                return;
            }
        }
        TcpListener l = listeners[s.dstPort];
        if (l == null) {
            st.inc(Stat.TCP_DROP_NO_SOCKET);
            TcpSegmentWriter.sendRstFor(this, s); // a closed port resets whatever the options
            return;
        }
        if (s.badOptionLength) {
            st.inc(Stat.TCP_DROP_BAD_OPTIONS);
            return;
        }
        handshake.passiveOpen(l, s, now);
    }

    boolean allowChallengeAck(long now) {
        if (now - challengeWindowStart >= 1_000_000_000L) {
            challengeWindowStart = now;
            challengeCount = 0;
        }
        return challengeCount++ < cfg.challengeAcksPerSecond;
    }

    // ---------------------------------------------------------------- application entry points

    TcpListener listen(int port, int backlog, AcceptHandler h) {
        if (port <= 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port);
        }
        if (listeners[port] != null) {
            throw new IllegalStateException("port " + port + " already listening");
        }
        TcpListener l = new TcpListener(this, port, backlog, h);
        listeners[port] = l;
        return l;
    }

    void removeListener(TcpListener l) {
        if (listeners[l.port] == l) {
            listeners[l.port] = null;
        }
    }

    TcpConnection connect(int remoteIp, int remotePort, int localPort, TcpHandler h) {
        if (remotePort <= 0 || remotePort > 65535 || localPort <= 0 || localPort > 65535) {
            throw new IllegalArgumentException("port out of range");
        }
        if (!cfg.flowFilter.owns(NetStack.PROTO_TCP, remoteIp, remotePort, stack.address, localPort)) {
            throw new IllegalArgumentException("flow not owned by this shard; pick the port with pickEphemeralPort");
        }
        long now = stack.now;
        TcpConnection old = table.get(TcpTable.key(remoteIp, remotePort, localPort));
        if (old != null) {
            if (old.state == TcpState.TIME_WAIT && old.tsOn && cfg.timestamps) {
                stack.stats.inc(Stat.TCP_TIME_WAIT_REUSED); // PAWS keeps old duplicates out
                destroy(old);
            } else {
                throw new IllegalStateException("address in use: " + old);
            }
        }
        return handshake.activeOpen(remoteIp, remotePort, localPort, h, now);
    }

    boolean inUse(int remoteIp, int remotePort, int localPort) {
        return table.get(TcpTable.key(remoteIp, remotePort, localPort)) != null || listeners[localPort] != null;
    }

    int pickEphemeralPort(int remoteIp, int remotePort, IntPredicate accept) {
        int lo = 32768;
        int range = 61000 - lo;
        int start = random.nextInt(range);
        for (int i = 0; i < range; i++) {
            int p = lo + (start + i) % range;
            if (!inUse(remoteIp, remotePort, p)
                    && cfg.flowFilter.owns(NetStack.PROTO_TCP, remoteIp, remotePort, stack.address, p)
                    && (accept == null || accept.test(p))) {
                return p;
            }
        }
        return -1;
    }
}
