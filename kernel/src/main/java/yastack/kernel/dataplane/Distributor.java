package yastack.kernel.dataplane;

import static yastack.kernel.dataplane.ArpFrames.BE_INT;
import static yastack.kernel.dataplane.ArpFrames.BE_SHORT;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import yastack.api.SteeringPolicy;
import yastack.kernel.io.PacketPort;
import yastack.kernel.io.RxBatch;
import yastack.kernel.io.TxBatch;
import yastack.kernel.io.rss.RedirectionTable;
import yastack.kernel.io.rss.Toeplitz;
import yastack.kernel.stats.Counter;
import yastack.kernel.stats.WorkerStats;

/**
 * Software RSS for one interface: receives from every queue of the port, hashes each frame's
 * flow with the symmetric Toeplitz key, looks the flow up in its table (asking the steering
 * policy only for new flows, so a flow never moves), and copies the frame into the owning
 * worker's ring. ARP goes to every shard except requests for our address (worker 0); other
 * non-IP frames go to worker 0. When the port has fewer transmit queues than workers, it also
 * transmits what workers left in their return rings.
 */
final class Distributor {
    private static final int TCP = 6, UDP = 17, ICMP = 1;
    private static final int SWEEP_BUDGET = 64;

    private final String iface;
    private final PacketPort port;
    private final RxBatch rx;
    private final int queues;
    private final FrameRing[] toWorker;
    private final FrameRing[] fromWorker; // null: workers transmit on their own queues
    private final TxBatch tx;
    private final Counter[] ringFull;
    private final Counter parseError, flowTableFull, txNoBuffer;
    private final FlowTable table;
    private final SteeringPolicy steering;
    private final WorkerStates workers;
    private final Toeplitz toeplitz;
    private final RedirectionTable reta;
    private final int address;
    private final Flow flow = new Flow();
    private final Flow sweepFlow = new Flow();
    private final Consumer<Flow> closed;
    /** Flows whose owner a worker fixed before its first packet: {key, protocol, worker}. */
    private final ConcurrentLinkedQueue<long[]> claims = new ConcurrentLinkedQueue<>();
    /** Drain (worker) and undrain (-worker - 1) notices for the steering policy, delivered on this thread. */
    private final ConcurrentLinkedQueue<Integer> drainEvents = new ConcurrentLinkedQueue<>();

    Distributor(String iface, PacketPort port, int address, FrameRing[] toWorker, FrameRing[] fromWorker,
                FlowTable table, SteeringPolicy steering, WorkerStates workers, Toeplitz toeplitz,
                WorkerStats cells) {
        this.iface = iface;
        this.port = port;
        this.rx = port.newRxBatch();
        this.queues = port.queueCount();
        this.address = address;
        this.toWorker = toWorker;
        this.fromWorker = fromWorker;
        this.tx = fromWorker == null ? null : port.newTxBatch(0);
        this.table = table;
        this.steering = steering;
        this.workers = workers;
        this.toeplitz = toeplitz;
        this.reta = RedirectionTable.roundRobin(toWorker.length);
        this.ringFull = new Counter[toWorker.length];
        for (int w = 0; w < toWorker.length; w++) {
            ringFull[w] = cells.counter("worker." + w + ".drop_ring_full");
        }
        this.parseError = cells.counter("worker.0.drop_parse_error");
        this.txNoBuffer = cells.counter("worker.0.drop_no_buffer");
        this.flowTableFull = cells.counter("dispatch." + iface + ".flow_table_full");
        this.closed = steering::onFlowClosed;
    }

    String iface() {
        return iface;
    }

    FlowTable table() {
        return table;
    }

    /** From a worker's thread: the flow {@code remote:remotePort -> local:localPort} belongs to {@code worker}. */
    void claim(int protocol, int remoteAddr, int remotePort, int localPort, int worker) {
        claims.add(new long[] {FlowTable.key(remoteAddr, remotePort, localPort), protocol, worker});
    }

    void workerDrained(int worker, boolean drained) {
        drainEvents.add(drained ? worker : -worker - 1);
    }

    int poll(long now) {
        int work = 0;
        if (!drainEvents.isEmpty()) {
            for (Integer e; (e = drainEvents.poll()) != null; ) {
                if (e >= 0) steering.onWorkerDrain(e); else steering.onWorkerUndrain(-e - 1);
            }
        }
        takeClaims(now);
        for (int q = 0; q < queues; q++) {
            int n = port.receiveBurst(q, rx);
            if (n == 0) {
                continue;
            }
            MemorySegment buf = rx.buffer();
            for (int i = 0; i < n; i++) {
                dispatch(buf, rx.offset(i), rx.length(i), now);
            }
            rx.release();
            work += n;
        }
        if (fromWorker != null) {
            work += transmitReturned();
        }
        table.sweep(now, SWEEP_BUDGET, sweepFlow, closed);
        return work;
    }

    private void takeClaims(long now) {
        if (claims.isEmpty()) {
            return;
        }
        for (long[] c; (c = claims.poll()) != null; ) {
            int proto = (int) c[1];
            int slot = table.find(proto, c[0]);
            if (slot >= 0) {
                table.remove(slot);
            }
            if (table.insert(proto, c[0], (int) c[2], now) < 0) {
                flowTableFull.inc();
            }
        }
    }

    private void dispatch(MemorySegment f, long off, int len, long now) {
        if (len < 14) {
            parseError.inc();
            return;
        }
        int type = f.get(BE_SHORT, off + 12) & 0xffff;
        if (type == 0x0806) {
            if (len >= 42 && ArpFrames.forAllShards(f, off, address)) {
                for (int w = 0; w < toWorker.length; w++) {
                    deliver(w, f, off, len);
                }
            } else {
                deliver(0, f, off, len);
            }
            return;
        }
        if (type != 0x0800) {
            deliver(0, f, off, len); // the shard counts what it cannot use
            return;
        }
        long ip = off + 14;
        int vihl = len >= 34 ? f.get(ValueLayout.JAVA_BYTE, ip) & 0xff : 0;
        int ihl = (vihl & 15) * 4;
        if ((vihl >>> 4) != 4 || ihl < 20 || 14 + ihl > len) {
            parseError.inc();
            return;
        }
        int src = f.get(BE_INT, ip + 12);
        int dst = f.get(BE_INT, ip + 16);
        if (dst != address) {
            deliver(0, f, off, len); // broadcast or not ours: one shard answers or counts it
            return;
        }
        int proto = f.get(ValueLayout.JAVA_BYTE, ip + 9) & 0xff;
        boolean fragment = (f.get(BE_SHORT, ip + 6) & 0x3fff) != 0;
        long l4 = ip + ihl;
        int l4len = len - 14 - ihl;
        if (!fragment && (proto == TCP || proto == UDP) && l4len >= (proto == TCP ? 14 : 4)) {
            int sport = f.get(BE_SHORT, l4) & 0xffff;
            int dport = f.get(BE_SHORT, l4 + 2) & 0xffff;
            int tcpFlags = proto == TCP ? f.get(ValueLayout.JAVA_BYTE, l4 + 13) & 0xff : 0;
            deliver(owner(proto, src, sport, dst, dport, tcpFlags, now), f, off, len);
            return;
        }
        if (!fragment && proto == ICMP && l4len >= 8 + 20 + 4) {
            int icmpType = f.get(ValueLayout.JAVA_BYTE, l4) & 0xff;
            if (icmpType == 3 || icmpType == 11 || icmpType == 12) {
                // an error about one of our flows: its shard needs it (e.g. fragmentation needed)
                long inner = l4 + 8;
                int innerIhl = (f.get(ValueLayout.JAVA_BYTE, inner) & 15) * 4;
                int innerProto = f.get(ValueLayout.JAVA_BYTE, inner + 9) & 0xff;
                if (innerIhl >= 20 && l4len >= 8 + innerIhl + 4 && (innerProto == TCP || innerProto == UDP)) {
                    int remote = f.get(BE_INT, inner + 16);
                    int localPort = f.get(BE_SHORT, inner + innerIhl) & 0xffff;
                    int remotePort = f.get(BE_SHORT, inner + innerIhl + 2) & 0xffff;
                    int slot = table.find(innerProto, FlowTable.key(remote, remotePort, localPort));
                    deliver(slot >= 0 ? table.owner(slot)
                            : reta.queueOf(toeplitz.hashIpv4(remote, address, remotePort, localPort)), f, off, len);
                    return;
                }
            }
        }
        // fragments, echo and other protocols: by address pair, like a NIC
        deliver(reta.queueOf(toeplitz.hashIpv4(src, dst)), f, off, len);
    }

    /** The worker owning this inbound TCP/UDP flow; new flows are placed by the steering policy. */
    private int owner(int proto, int src, int sport, int dst, int dport, int tcpFlags, long now) {
        long key = FlowTable.key(src, sport, dport);
        int slot = table.find(proto, key);
        if (slot < 0 && !claims.isEmpty()) {
            takeClaims(now); // a worker may have claimed this flow after this round began
            slot = table.find(proto, key);
        }
        boolean syn = (tcpFlags & 0x12) == 0x02;
        if (slot >= 0 && syn && (table.flags(slot) & (FlowTable.FIN | FlowTable.RST)) != 0) {
            steering.onFlowClosed(flow.set(proto, src, sport, dst, dport, 0));
            table.remove(slot); // the 4-tuple is reused by a new connection: place it afresh
            slot = -1;
        }
        if (slot >= 0) {
            int add = (tcpFlags & 0x04) != 0 ? FlowTable.RST : (tcpFlags & 0x01) != 0 ? FlowTable.FIN : 0;
            table.touch(slot, now, add);
            return table.owner(slot);
        }
        int hash = toeplitz.hashIpv4(src, dst, sport, dport);
        if (proto == TCP && !syn) {
            // not the start of a flow we know: where a NIC would put it, without remembering it
            return reta.queueOf(hash);
        }
        int w = steering.selectWorker(flow.set(proto, src, sport, dst, dport, hash), workers);
        if (w < 0 || w >= toWorker.length || !workers.isLive(w)) {
            int live = workers.liveCount();
            w = live == 0 ? reta.queueOf(hash) : workers.liveWorker(Integer.remainderUnsigned(hash, live));
        }
        if (table.insert(proto, key, w, now) < 0) {
            flowTableFull.inc();
        }
        return w;
    }

    private void deliver(int w, MemorySegment f, long off, int len) {
        if (!toWorker[w].offer(f, off, len)) {
            ringFull[w].inc();
        }
    }

    private int transmitReturned() {
        int sent = 0;
        for (FrameRing r : fromWorker) {
            int n = r.available();
            int i = 0;
            for (; i < n; i++) {
                long off = tx.acquire();
                if (off < 0) {
                    txNoBuffer.add(n - i);
                    break;
                }
                int len = r.length(i);
                MemorySegment.copy(r.slot(i), 0, tx.buffer(), off, len);
                tx.commit(len);
            }
            r.release(n);
            sent += i;
        }
        tx.flush();
        return sent;
    }

    void close() {
        rx.release();
        if (tx != null) {
            tx.close();
        }
    }
}
