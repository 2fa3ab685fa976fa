package yastack.stack;

import static yastack.stack.DiffPeer.ACK;
import static yastack.stack.DiffPeer.AE;
import static yastack.stack.DiffPeer.CWR;
import static yastack.stack.DiffPeer.ECE;
import static yastack.stack.DiffPeer.ECE_CWR;
import static yastack.stack.DiffPeer.FIN;
import static yastack.stack.DiffPeer.PISS;
import static yastack.stack.DiffPeer.RST;
import static yastack.stack.DiffPeer.SYN;

import java.util.List;
import yastack.stack.LinuxDifferentialRows.Row;
import yastack.stack.LinuxDifferentialRows.Script;

/**
 * Rows of {@link LinuxDifferentialTest} on ECN (RFC 3168) as Linux's default {@code tcp_ecn=2} has it: a listener
 * agrees when a SYN asks, data is sent ECT(0), CE on received data is echoed with ECE until the sender's CWR, and an
 * ECE makes the sender reduce its window and say so with CWR. The transcripts show the flags and the type of service.
 */
final class EcnDifferentialRows {
    private static final int ECT0 = 0x02, CE = 0x03;

    private EcnDifferentialRows() {}

    static void addTo(List<Row> rows) {
        negotiation(rows);
        receiver(rows);
        sender(rows);
        cookies(rows);
    }

    /** The peer asks with {@code synFlags} from a datagram with type of service {@code tos}; CE data shows what was agreed. */
    private static Script asking(int synFlags, int tos) {
        return p -> {
            p.synFlags = synFlags;
            p.marked(tos);
            p.establish();
            p.marked(CE).data("data, CE", "hello", 0);
        };
    }

    private static void negotiation(List<Row> rows) {
        rows.add(new Row("ECN: SYN with ECE alone", true, asking(SYN | ECE, 0)));
        rows.add(new Row("ECN: SYN with CWR alone", true, asking(SYN | CWR, 0)));
        rows.add(new Row("ECN: SYN asking for ECN", true, asking(SYN | ECE_CWR, 0)));
        // RFC 3168 6.1.1: a SYN must not be ECN-capable; Linux takes an ECT one as a sign of a broken path
        rows.add(new Row("ECN: SYN asking for ECN in an ECT(0) datagram", true, asking(SYN | ECE_CWR, ECT0)));
        rows.add(new Row("ECN: SYN asking for ECN in a CE-marked datagram", true, asking(SYN | ECE_CWR, CE)));
        // AccECN's request (AE, CWR, ECE): a classic ECN listener answers ECE alone, and lets AE excuse an ECT SYN
        rows.add(new Row("ECN: SYN asking for AccECN", true, asking(SYN | AE | ECE_CWR, 0)));
        rows.add(new Row("ECN: SYN asking for AccECN in an ECT(0) datagram", true, asking(SYN | AE | ECE_CWR, ECT0)));
        rows.add(new Row("ECN: the SYN again in SYN-RECEIVED", true, p -> {
            p.synFlags = SYN | ECE_CWR;
            p.syn();
            p.seg("SYN|ECE|CWR again", PISS, 0, SYN | ECE_CWR, null);
            p.seg("handshake ACK", p.snd, p.rcv, ACK, null);
        }));
    }

    /** An ECN connection (the peer asked), then the segments under test. */
    private static Row ecn(String name, Script s) {
        return new Row("ECN: " + name, true, p -> {
            p.synFlags = SYN | ECE_CWR;
            p.establish();
            s.run(p);
        });
    }

    /** A connection without ECN (the peer did not ask), then the segments under test. */
    private static Row plain(String name, Script s) {
        return new Row("ECN: " + name, true, p -> {
            p.establish();
            s.run(p);
        });
    }

    private static void receiver(List<Row> rows) {
        rows.add(ecn("CE-marked data is echoed with ECE until CWR", p -> {
            p.marked(CE).data("data, CE", "hello", 0);
            p.marked(ECT0).data("data", "world", 0);
            p.marked(ECT0).data("data with CWR", "again", CWR);
            p.marked(ECT0).data("then data", "more", 0);
        }));
        rows.add(ecn("CWR with new CE in the same segment", p -> {
            p.marked(CE).data("data, CE", "hello", 0);
            p.marked(CE).data("data with CWR, CE", "world", CWR);
            p.marked(ECT0).data("data", "again", 0);
            p.marked(ECT0).data("data with CWR", "more", CWR);
            p.marked(ECT0).data("then data", "last", 0);
        }));
        rows.add(ecn("CWR on a bare ACK ends the echo", p -> {
            p.marked(CE).data("data, CE", "hello", 0);
            p.seg("ACK with CWR", p.snd, p.rcv, ACK | CWR, null);
            p.data("then data", "world", 0);
        }));
        rows.add(ecn("CE on a bare ACK", p -> {
            p.marked(CE).seg("ACK, CE", p.snd, p.rcv, ACK, null);
            p.data("then data", "hello", 0);
        }));
        rows.add(ecn("CE-marked FIN", p -> {
            p.marked(CE).data("FIN, CE", "", FIN);
            p.seg("then an ACK", p.snd, p.rcv, ACK, null);
        }));
        rows.add(ecn("CE-marked data out of order, then the hole filled", p -> {
            p.marked(CE).seg("data +5, CE", p.snd + 5, p.rcv, ACK | DiffPeer.PSH, "world".getBytes());
            p.marked(ECT0).data("data +0", "hello", 0);
            p.snd += 5;
            p.data("then data", "more", CWR);
        }));
        rows.add(ecn("CE on a duplicate segment", p -> {
            p.data("data", "hello", 0);
            p.marked(CE).seg("the same again, CE", p.snd - 5, p.rcv, ACK | DiffPeer.PSH, "hello".getBytes());
            p.data("then data", "world", 0);
        }));
        rows.add(ecn("our data carries ECE while the peer owes CWR", p -> {
            p.marked(CE).data("data, CE", "hello", 0);
            p.appWrite("reply");
            p.rcv = p.targetNext;
            p.seg("ACK with CWR", p.snd, p.rcv, ACK | CWR, null);
            p.appWrite("again");
        }));
        // RFC 3168 5.3: reassembly marks the datagram CE if a fragment was, and drops one partly not ECN-capable
        rows.add(ecn("CE on the second fragment of a data segment", p -> {
            byte[][] f = fragments(p.segFrame(p.snd, p.rcv, ACK | DiffPeer.PSH, "hello".getBytes()), ECT0, CE);
            p.frame("first fragment, ECT(0)", f[0]);
            p.frame("second fragment, CE", f[1]);
            p.snd += 5;
            p.data("then data", "world", 0);
        }));
        rows.add(ecn("a data segment in fragments, one not ECN-capable", p -> {
            byte[][] f = fragments(p.segFrame(p.snd, p.rcv, ACK | DiffPeer.PSH, "hello".getBytes()), ECT0, 0);
            p.frame("first fragment, ECT(0)", f[0]);
            p.frame("second fragment, not ECT", f[1]);
            p.data("the same data again", "hello", 0);
        }));
        rows.add(plain("CE-marked data on a connection without ECN", p -> {
            p.marked(CE).data("data, CE", "hello", 0);
            p.data("then data", "world", 0);
        }));
    }

    /** A TCP frame as two IP fragments, the first holding the TCP header, with type of service {@code tos1} and {@code tos2}. */
    private static byte[][] fragments(byte[] whole, int tos1, int tos2) {
        int l4 = whole.length - 34;
        int n = ((whole[34 + 12] & 0xff) >>> 4) * 4; // a multiple of 8 with the timestamp option
        byte[] a = java.util.Arrays.copyOf(whole, 34 + n);
        byte[] b = new byte[34 + l4 - n];
        System.arraycopy(whole, 0, b, 0, 34);
        System.arraycopy(whole, 34 + n, b, 34, l4 - n);
        java.nio.ByteBuffer.wrap(a).putShort(16, (short) (20 + n));
        java.nio.ByteBuffer.wrap(b).putShort(16, (short) (20 + l4 - n));
        IpDifferentialRows.fragment(a, 0, true);
        IpDifferentialRows.fragment(b, n, false);
        return new byte[][] {IpDifferentialRows.withTos(a, tos1), IpDifferentialRows.withTos(b, tos2)};
    }

    private static void sender(List<Row> rows) {
        rows.add(ecn("our new data is ECT(0), our ACKs and FIN are not", p -> {
            p.appWrite("hello");
            p.ackAll("ACK");
            p.data("data", "world", 0);
            p.appClose();
            p.ackAll("ACK of FIN");
        }));
        rows.add(plain("no ECT(0) without ECN", p -> {
            p.appWrite("hello");
            p.ackAll("ACK");
        }));
        rows.add(ecn("an ACK with ECE makes our next new data carry CWR, once", p -> {
            p.appWrite("hello");
            p.rcv = p.targetNext;
            p.seg("ACK with ECE", p.snd, p.rcv, ACK | ECE, null);
            p.appWrite("world");
            p.ackAll("ACK");
            p.appWrite("again");
            p.ackAll("ACK");
        }));
        rows.add(ecn("ECE on an ACK with nothing outstanding", p -> {
            p.appWrite("hello");
            p.ackAll("ACK");
            p.seg("ACK with ECE", p.snd, p.rcv, ACK | ECE, null);
            p.appWrite("world");
            p.ackAll("ACK");
        }));
        rows.add(plain("ECE on a connection without ECN", p -> {
            p.appWrite("hello");
            p.rcv = p.targetNext;
            p.seg("ACK with ECE", p.snd, p.rcv, ACK | ECE, null);
            p.appWrite("world");
            p.ackAll("ACK");
        }));
        rows.add(ecn("our retransmission is not ECT", p -> {
            p.appWrite("hello");
            p.idle("300 ms later", 300);
            p.ackAll("ACK");
        }));
        rows.add(ecn("new data after a tail loss probe", p -> {
            p.appWrite("hello");
            p.idle("300 ms later", 300);
            p.ackAll("ACK");
            p.appWrite("world");
            p.ackAll("ACK");
        }));
        // without SACK Linux sends no tail loss probe: its retransmission is the RTO's, as ours
        rows.add(new Row("ECN: an RTO makes our next new data carry CWR", true, p -> {
            p.synFlags = SYN | ECE_CWR;
            p.bareSyn = true;
            p.establish();
            p.appWrite("hello");
            p.idle("300 ms later", 300);
            p.ackAll("ACK");
            p.appWrite("world");
            p.ackAll("ACK");
        }));
    }

    /**
     * SYN cookies: twenty SYNs from other ports fill the listener's backlog of 16 (Linux answers with cookies once
     * more than 16 wait, we once 16 do), so the row's SYN gets a cookie; RSTs take the others away after. The row
     * without timestamps shows that the kernel's answer was a cookie: its SYN-ACK would have ECE otherwise.
     */
    private static Row cookie(String name, boolean timestamps) {
        return new Row("ECN: " + name, true, p -> {
            for (int k = 0; k < 20; k++) {
                p.target.sendFrame(Pkt.tcpFrame(Probe.STACK_MAC, Probe.PEER_MAC, Probe.PEER, Probe.STACK, 20000 + k, p.dport,
                        PISS, 0, SYN, 65535, Probe.synOpts(1), null));
            }
            p.synFlags = SYN | ECE_CWR;
            p.bareSyn = !timestamps;
            p.establish();
            p.marked(CE).data("data, CE", "hello", 0);
            for (int k = 0; k < 20; k++) {
                p.target.sendFrame(Pkt.tcpFrame(Probe.STACK_MAC, Probe.PEER_MAC, Probe.PEER, Probe.STACK, 20000 + k, p.dport,
                        PISS + 1, 0, RST, 0, null, null));
            }
        });
    }

    private static void cookies(List<Row> rows) {
        rows.add(cookie("SYN cookie with timestamps, which carry ECN", true));
        rows.add(cookie("SYN cookie without timestamps, no room for ECN", false));
    }
}
