package yastack.kernel.io.support;

import static yastack.kernel.io.support.Frames.BE16;
import static yastack.kernel.io.support.Frames.BE32;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import yastack.kernel.io.MacAddress;
import yastack.kernel.io.PacketPort;
import yastack.kernel.io.RxBatch;
import yastack.kernel.io.TxBatch;

/**
 * The smallest host that answers ping: replies to ARP requests for its address and to ICMP
 * echo requests addressed to it, checking the checksums of what it receives. Enough to prove
 * a port receives and transmits real frames the Linux kernel produces and accepts.
 */
public final class PingResponder {
    private final MacAddress mac;
    private final int ip;
    public int arpReplies;
    public int echoReplies;
    public int badChecksums;
    public int ignored;

    public PingResponder(MacAddress mac, int ip) {
        this.mac = mac;
        this.ip = ip;
    }

    /** Answers every frame of a burst that deserves an answer; replies are committed, not flushed. */
    public void handle(RxBatch rx, TxBatch tx) {
        MemorySegment b = rx.buffer();
        for (int i = 0; i < rx.count(); i++) {
            long off = rx.offset(i);
            int len = rx.length(i);
            if (len < 14) {
                ignored++;
                continue;
            }
            int type = b.get(BE16, off + 12) & 0xffff;
            if (type == 0x0806 && len >= 42) {
                arp(b, off, tx);
            } else if (type == 0x0800 && len >= 34) {
                ipv4(b, off, len, tx);
            } else {
                ignored++;
            }
        }
    }

    private void arp(MemorySegment b, long off, TxBatch tx) {
        long a = off + 14;
        boolean request = (b.get(BE16, a) & 0xffff) == 1 && (b.get(BE16, a + 2) & 0xffff) == 0x0800
                && (b.get(BE16, a + 6) & 0xffff) == 1;
        if (!request || b.get(BE32, a + 24) != ip) {
            ignored++;
            return;
        }
        long o = tx.acquire();
        if (o < 0) {
            return;
        }
        MemorySegment t = tx.buffer();
        MacAddress sender = MacAddress.read(b, a + 8);
        int senderIp = b.get(BE32, a + 14);
        sender.write(t, o);
        mac.write(t, o + 6);
        t.set(BE16, o + 12, (short) 0x0806);
        long r = o + 14;
        t.set(BE16, r, (short) 1);
        t.set(BE16, r + 2, (short) 0x0800);
        t.set(ValueLayout.JAVA_BYTE, r + 4, (byte) 6);
        t.set(ValueLayout.JAVA_BYTE, r + 5, (byte) 4);
        t.set(BE16, r + 6, (short) 2);
        mac.write(t, r + 8);
        t.set(BE32, r + 14, ip);
        sender.write(t, r + 18);
        t.set(BE32, r + 24, senderIp);
        tx.commit(42);
        arpReplies++;
    }

    private void ipv4(MemorySegment b, long off, int len, TxBatch tx) {
        long p = off + 14;
        int ihl = (b.get(ValueLayout.JAVA_BYTE, p) & 0x0f) * 4;
        int total = b.get(BE16, p + 2) & 0xffff;
        int proto = b.get(ValueLayout.JAVA_BYTE, p + 9) & 0xff;
        if (proto != 1 || b.get(BE32, p + 16) != ip || total > len - 14 || ihl < 20) {
            ignored++;
            return;
        }
        long icmp = p + ihl;
        int icmpLen = total - ihl;
        if (Checksums.internet(b, p, ihl) != 0 || Checksums.internet(b, icmp, icmpLen) != 0) {
            badChecksums++;
            return;
        }
        if ((b.get(ValueLayout.JAVA_BYTE, icmp) & 0xff) != 8) {
            ignored++;
            return;
        }
        long o = tx.acquire();
        if (o < 0) {
            return;
        }
        MemorySegment t = tx.buffer();
        int frameLen = 14 + total;
        MemorySegment.copy(b, off, t, o, frameLen);
        // Ethernet: back to the sender
        MacAddress.read(b, off + 6).write(t, o);
        mac.write(t, o + 6);
        long q = o + 14;
        t.set(BE32, q + 12, ip);
        t.set(BE32, q + 16, b.get(BE32, p + 12));
        t.set(ValueLayout.JAVA_BYTE, q + 8, (byte) 64);
        t.set(BE16, q + 10, (short) 0);
        t.set(BE16, q + 10, (short) Checksums.internet(t, q, ihl));
        long ri = q + ihl;
        t.set(ValueLayout.JAVA_BYTE, ri, (byte) 0); // echo reply
        t.set(BE16, ri + 2, (short) 0);
        t.set(BE16, ri + 2, (short) Checksums.internet(t, ri, icmpLen));
        tx.commit(frameLen);
        echoReplies++;
    }

    /** Polls every queue of {@code port}, answering, until {@code stop} says so. */
    public void serve(PacketPort port, java.util.function.BooleanSupplier stop, Runnable idle) {
        RxBatch rx = port.newRxBatch();
        TxBatch[] txs = new TxBatch[port.queueCount()];
        for (int q = 0; q < txs.length; q++) {
            txs[q] = port.newTxBatch(q);
        }
        try {
            while (!stop.getAsBoolean()) {
                int work = 0;
                for (int q = 0; q < txs.length; q++) {
                    int n = port.receiveBurst(q, rx);
                    if (n > 0) {
                        handle(rx, txs[q]);
                        rx.release();
                        txs[q].flush();
                        work += n;
                    }
                }
                if (work == 0) {
                    idle.run();
                }
            }
        } finally {
            rx.release();
            for (TxBatch t : txs) {
                t.close();
            }
        }
    }
}
