package yastack.stack;

import static yastack.stack.DiffPeer.ACK;
import static yastack.stack.DiffPeer.ECE_CWR;
import static yastack.stack.DiffPeer.FIN;
import static yastack.stack.DiffPeer.PISS;
import static yastack.stack.DiffPeer.PSH;
import static yastack.stack.DiffPeer.RST;
import static yastack.stack.DiffPeer.SYN;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The rows of {@link LinuxDifferentialTest}: a state the peer drives the target into, then the segments under test. */
final class LinuxDifferentialRows {
    interface Script {
        void run(DiffPeer p) throws Throwable;
    }

    record Row(String name, boolean listen, Script script) {}

    /** Rows where we deliberately answer unlike Linux, and why. */
    static final Map<String, String> EXPECTED_DIFFERENCES = Map.of(
            "ECN: new data after a tail loss probe",
            "no RACK/TLP here (README, known gaps): Linux's first retransmission of a lone segment is a tail loss probe"
                    + " (RFC 8985 7), which reduces no window, so no CWR follows; ours is the RTO's, which reduces the window"
                    + " and so marks the next new data CWR (RFC 3168 6.1.2)",
            "ESTABLISHED: data without the negotiated timestamps",
            "RFC 7323 3.2: a non-RST segment without the negotiated TSopt SHOULD be dropped silently; Linux accepts it",
            "ARP: request from a multicast sender MAC",
            "a group MAC maps no host (RFC 1812 3.3.2): not learnt nor answered; Linux answers and learns it");

    private static final byte[] TEN = "0123456789".getBytes();

    /** Segments without a connection, each alone: to a closed port and to a listener. */
    private record Lone(String name, int seqOff, int ack, int flags, byte[] payload) {}

    private static final List<Lone> UNSYNCHRONIZED = List.of(
            new Lone("SYN", 0, 0, SYN, null),
            new Lone("SYN+FIN", 0, 0, SYN | FIN, null),
            new Lone("SYN+RST", 0, 0, SYN | RST, null),
            new Lone("SYN+ACK", 0, 777, SYN | ACK, null),
            new Lone("FIN alone", 0, 0, FIN, null),
            new Lone("no flags", 0, 0, 0, null),
            new Lone("ECE+CWR only", 0, 0, ECE_CWR, null),
            new Lone("ACK alone", 0, 777, ACK, null),
            new Lone("FIN+ACK", 0, 777, FIN | ACK, null),
            new Lone("RST alone", 0, 0, RST, null),
            new Lone("RST+ACK", 0, 777, RST | ACK, null),
            new Lone("data without ACK", 0, 0, PSH, TEN),
            new Lone("data with ACK", 0, 777, PSH | ACK, TEN),
            new Lone("SYN with data", 0, 0, SYN, TEN));

    static List<Row> all() {
        List<Row> rows = new ArrayList<>();
        for (Lone pr : UNSYNCHRONIZED) {
            rows.add(new Row("CLOSED: " + pr.name, false, p -> p.seg(pr.name, PISS + pr.seqOff, pr.ack, pr.flags, pr.payload)));
        }
        for (Lone pr : UNSYNCHRONIZED) {
            if ((pr.flags & SYN) != 0 && (pr.flags & (ACK | RST | FIN)) == 0) {
                continue; // a plain SYN to a listener is the SYN-RECEIVED rows' start
            }
            rows.add(new Row("LISTEN: " + pr.name, true, p -> {
                p.seg(pr.name, PISS + pr.seqOff, pr.ack, pr.flags, pr.payload);
                p.seg("then a SYN", PISS, 0, SYN, null); // the listener still works and holds no embryo
            }));
        }
        synSent(rows);
        synReceived(rows);
        activeOpenEstablished(rows);
        IpDifferentialRows.addTo(rows);
        established(rows);
        ClosingDifferentialRows.addTo(rows);
        EcnDifferentialRows.addTo(rows);
        return rows;
    }

    /** The target's application connects; the peer answers its SYN, then completes the handshake if it still can. */
    private static void synSent(List<Row> rows) {
        Map<String, Script> cases = new java.util.LinkedHashMap<>();
        cases.put("SYN+ACK", p -> p.seg("SYN+ACK", PISS, p.rcv, SYN | ACK, null));
        cases.put("SYN+ACK acknowledging the ISN", p -> p.seg("SYN+ACK, ACK=isn", PISS, p.iss, SYN | ACK, null));
        cases.put("SYN+ACK acknowledging unsent data", p -> p.seg("SYN+ACK, ACK=isn+100", PISS, p.iss + 100, SYN | ACK, null));
        cases.put("ACK alone, acceptable", p -> p.seg("ACK", PISS + 1, p.rcv, ACK, null));
        cases.put("ACK alone, unacceptable", p -> p.seg("ACK isn+100", PISS + 1, p.iss + 100, ACK, null));
        cases.put("RST without ACK", p -> p.seg("RST", PISS, 0, RST, null));
        cases.put("RST+ACK, acceptable", p -> p.seg("RST+ACK", 0, p.rcv, RST | ACK, null));
        cases.put("RST+ACK, unacceptable", p -> p.seg("RST+ACK isn+100", 0, p.iss + 100, RST | ACK, null));
        cases.put("SYN alone (simultaneous open)", p -> p.seg("SYN", PISS, 0, SYN, null));
        cases.put("simultaneous open completed", p -> {
            p.seg("SYN", PISS, 0, SYN, null);
            p.seg("SYN+ACK", PISS, p.iss + 1, SYN | ACK, null);
            p.snd = PISS + 1;
            p.data("data", "hello", 0);
        });
        cases.put("SYN+FIN+ACK", p -> p.seg("SYN+FIN+ACK", PISS, p.rcv, SYN | FIN | ACK, null));
        cases.put("SYN+RST+ACK", p -> p.seg("SYN+RST+ACK", PISS, p.rcv, SYN | RST | ACK, null));
        cases.put("SYN+ACK with data", p -> p.seg("SYN+ACK+data", PISS, p.rcv, SYN | ACK | PSH, TEN));
        cases.put("no flags", p -> p.seg("no flags", PISS, 0, 0, null));
        cases.put("SYN+ACK with an option of length 0", p -> {
            byte[] o = new byte[20];
            java.util.Arrays.fill(o, (byte) 1);
            o[0] = 99;
            o[1] = 0;
            p.frame("SYN+ACK, silly option", Pkt.tcpFrame(Probe.STACK_MAC, Probe.PEER_MAC, Probe.PEER, Probe.STACK, p.sport, p.dport,
                    PISS, p.iss + 1, SYN | ACK, 65535, o, null));
        });
        cases.put("FIN alone", p -> p.seg("FIN", PISS, 0, FIN, null));
        for (var e : cases.entrySet()) {
            rows.add(new Row("SYN-SENT: " + e.getKey(), false, p -> {
                p.connect();
                e.getValue().run(p);
                p.seg("then a SYN+ACK", PISS, p.iss + 1, SYN | ACK, null);
            }));
        }
    }

    /** The target connected; the peer's SYN-ACK arrives again, and the target closes first (TIME_WAIT on its side). */
    private static void activeOpenEstablished(List<Row> rows) {
        Script established = p -> {
            p.connect();
            p.seg("SYN+ACK", PISS, p.rcv, SYN | ACK, null);
            p.snd = PISS + 1;
        };
        rows.add(new Row("ESTABLISHED (active): the SYN+ACK again", false, p -> {
            established.run(p);
            p.seg("SYN+ACK again", PISS, p.rcv, SYN | ACK, null);
            p.data("then data", "alive?", 0);
        }));
        rows.add(new Row("TIME-WAIT (active): FIN again, then a new SYN", false, p -> {
            established.run(p);
            p.appClose();
            p.ackAll("ACK of FIN");
            p.data("FIN", "", FIN);
            p.seg("FIN again", p.snd - 1, p.rcv, ACK | FIN, null);
            p.seg("SYN +100000", p.snd + 100_000, 0, SYN, null);
        }));
    }

    /** After SYN and our SYN-ACK; the final ACK shows whether the embryo survived. */
    private static void synReceived(List<Row> rows) {
        Map<String, Script> cases = new java.util.LinkedHashMap<>();
        cases.put("retransmitted SYN", p -> p.seg("SYN again", PISS, 0, SYN, null));
        cases.put("SYN in window, other ISN", p -> p.seg("SYN +100", PISS + 100, 0, SYN, null));
        cases.put("SYN below the window", p -> p.seg("SYN -100000", PISS - 100_000, 0, SYN, null));
        cases.put("RST exact", p -> p.seg("RST", p.snd, 0, RST, null));
        cases.put("RST in window, not exact", p -> p.seg("RST +100", p.snd + 100, 0, RST, null));
        cases.put("RST out of window", p -> p.seg("RST +1000000", p.snd + 1_000_000, 0, RST, null));
        cases.put("RST+ACK exact", p -> p.seg("RST+ACK", p.snd, p.rcv, RST | ACK, null));
        cases.put("ACK of something else", p -> p.seg("ACK T+5", p.snd, p.iss + 5, ACK, null));
        cases.put("no flags", p -> p.seg("no flags", p.snd, 0, 0, null));
        cases.put("FIN without ACK", p -> p.seg("FIN", p.snd, 0, FIN, null));
        cases.put("data without ACK", p -> p.seg("data", p.snd, 0, PSH, TEN));
        cases.put("SYN+FIN", p -> p.seg("SYN+FIN", PISS, 0, SYN | FIN, null));
        cases.put("SYN+RST", p -> p.seg("SYN+RST", PISS, 0, SYN | RST, null));
        cases.put("data out of window", p -> p.seg("data +1000000", p.snd + 1_000_000, p.rcv, ACK | PSH, TEN));
        for (var e : cases.entrySet()) {
            rows.add(new Row("SYN-RECEIVED: " + e.getKey(), true, p -> {
                p.syn();
                e.getValue().run(p);
                p.seg("handshake ACK", p.snd, p.rcv, ACK, null);
            }));
        }
        // no handshake ACK after this one: Linux then sometimes sends one more ACK, sometimes not
        rows.add(new Row("SYN-RECEIVED: SYN+ACK", true, p -> {
            p.syn();
            p.seg("SYN+ACK", PISS, p.rcv, SYN | ACK, null);
        }));
        rows.add(new Row("LISTEN: SYN without options", true, p -> {
            p.bareSyn = true;
            p.syn();
            p.seg("handshake ACK", p.snd, p.rcv, ACK, null);
            p.data("data", "hello", 0);
        }));
        // Malformed or ill-sized options (RFC 9293 3.1, MUST-7): each SYN offers MSS, SACK, timestamps and
        // window scaling around the bad one, and the SYN-ACK shows which of them were taken.
        synWithOptions(rows, "an option of length 0", 2, 4, 5, 180, 30, 0, 4, 2, 8, 10, 0, 0, 0, 9, 0, 0, 0, 0, 3, 3, 7, 1);
        synWithOptions(rows, "an option running past the header", 2, 4, 5, 180, 4, 2, 8, 10, 0, 0, 0, 9, 0, 0, 0, 0, 1, 30, 8, 0);
        synWithOptions(rows, "an MSS of length 3", 2, 3, 5, 4, 2, 8, 10, 0, 0, 0, 9, 0, 0, 0, 0, 3, 3, 7, 1, 1, 1);
        synWithOptions(rows, "a window scale of length 4", 2, 4, 5, 180, 4, 2, 8, 10, 0, 0, 0, 9, 0, 0, 0, 0, 3, 4, 7, 0);
        synWithOptions(rows, "SACK permitted of length 3", 2, 4, 5, 180, 4, 3, 0, 8, 10, 0, 0, 0, 9, 0, 0, 0, 0, 3, 3, 7);
        synWithOptions(rows, "timestamps of length 8", 2, 4, 5, 180, 4, 2, 8, 8, 0, 0, 0, 9, 0, 0, 3, 3, 7, 1);
        rows.add(new Row("CLOSED: SYN with an option of length 0", false, p -> p.frame("SYN", Pkt.tcpFrame(Probe.STACK_MAC, Probe.PEER_MAC,
                Probe.PEER, Probe.STACK, p.sport, p.dport, PISS, 0, SYN, 65535, new byte[] {2, 4, 5, (byte) 180, 99, 0, 1, 1, 1, 1, 1, 1}, null))));
        rows.add(new Row("LISTEN: SYN asking for ECN (ECE and CWR)", true, p -> p.frame("SYN|ECE|CWR", Pkt.tcpFrame(Probe.STACK_MAC,
                Probe.PEER_MAC, Probe.PEER, Probe.STACK, p.sport, p.dport, PISS, 0, SYN | ECE_CWR, 65535, Probe.synOpts(1), null))));
        synWithOptions(rows, "an unknown option of length 0", 2, 4, 5, 180, 99, 0, 4, 2, 8, 10, 0, 0, 0, 9, 0, 0, 0, 0, 3, 3, 7, 1);
        synWithOptions(rows, "an unknown option of length 1", 2, 4, 5, 180, 99, 1, 4, 2, 8, 10, 0, 0, 0, 9, 0, 0, 0, 0, 3, 3, 7, 1);
        synWithOptions(rows, "an option of length 0 last", 2, 4, 5, 180, 4, 2, 8, 10, 0, 0, 0, 9, 0, 0, 0, 0, 3, 3, 7, 99, 0, 0);
        synWithOptions(rows, "an unknown option", 2, 4, 5, 180, 99, 4, 0, 0, 4, 2, 8, 10, 0, 0, 0, 9, 0, 0, 0, 0, 3, 3, 7, 1);
        rows.add(new Row("ESTABLISHED without timestamps: data carrying a timestamp option", true, p -> {
            p.bareSyn = true;
            p.syn();
            p.seg("handshake ACK", p.snd, p.rcv, ACK, null);
            p.dataWithOptions("data + TSopt", "hello", Probe.tsOpts(5000, 0)); // RFC 7323 3.2: ignored, processed
            p.data("data", "world", 0);
        }));
        // RFC 6298 2.1 and 5.7: the first retransmission of a SYN or SYN-ACK after the initial 1 s RTO.
        rows.add(new Row("SYN-SENT: no answer, the SYN again after a second", false, p -> {
            p.connect();
            p.idle("1.5 s later", 1500);
        }));
        rows.add(new Row("SYN-RECEIVED: no handshake ACK, the SYN-ACK again after a second", true, p -> {
            p.syn();
            p.idle("1.5 s later", 1500);
        }));
        rows.add(new Row("SYN-RECEIVED: ACK with data and FIN completes", true, p -> {
            p.syn();
            p.data("data+FIN", "hello", FIN);
        }));
    }

    /** A listener's answer to a SYN from PISS with {@code options} (padded with NOPs to a multiple of 4 bytes). */
    private static void synWithOptions(List<Row> rows, String what, int... options) {
        byte[] o = new byte[(options.length + 3) & ~3];
        java.util.Arrays.fill(o, (byte) 1);
        for (int i = 0; i < options.length; i++) o[i] = (byte) options[i];
        rows.add(new Row("LISTEN: SYN with " + what, true, p -> p.frame("SYN", Pkt.tcpFrame(Probe.STACK_MAC, Probe.PEER_MAC,
                Probe.PEER, Probe.STACK, p.sport, p.dport, PISS, 0, SYN, 65535, o, null))));
    }

    private static void established(List<Row> rows) {
        Map<String, Script> cases = new java.util.LinkedHashMap<>();
        cases.put("data in window", p -> p.data("data", "hello", 0));
        cases.put("data beyond the window", p -> p.seg("data +1000000", p.snd + 1_000_000, p.rcv, ACK | PSH, TEN));
        cases.put("data out of order, in window", p -> p.seg("data +100", p.snd + 100, p.rcv, ACK | PSH, TEN));
        cases.put("old data", p -> {
            p.data("data", "hello", 0);
            p.seg("the same again", p.snd - 5, p.rcv, ACK | PSH, "hello".getBytes());
        });
        cases.put("bare ACK below the window", p -> p.seg("ACK -100000", p.snd - 100_000, p.rcv, ACK, null));
        cases.put("RST exact", p -> p.seg("RST", p.snd, 0, RST, null));
        cases.put("RST in window, not exact", p -> p.seg("RST +100", p.snd + 100, 0, RST, null));
        cases.put("RST out of window", p -> p.seg("RST +1000000", p.snd + 1_000_000, 0, RST, null));
        cases.put("RST+ACK exact", p -> p.seg("RST+ACK", p.snd, p.rcv, RST | ACK, null));
        cases.put("SYN at RCV.NXT", p -> p.seg("SYN", p.snd, 0, SYN, null));
        cases.put("SYN in window", p -> p.seg("SYN +100", p.snd + 100, 0, SYN, null));
        cases.put("SYN out of window", p -> p.seg("SYN -100000", p.snd - 100_000, 0, SYN, null));
        cases.put("SYN+ACK", p -> p.seg("SYN+ACK", p.snd, p.rcv, SYN | ACK, null));
        cases.put("SYN+FIN", p -> p.seg("SYN+FIN", p.snd, 0, SYN | FIN, null));
        cases.put("SYN+RST exact", p -> p.seg("SYN+RST", p.snd, 0, SYN | RST, null));
        cases.put("SYN+RST in window", p -> p.seg("SYN+RST +100", p.snd + 100, 0, SYN | RST, null));
        cases.put("old ACK", p -> p.seg("ACK T-100000", p.snd, p.rcv - 100_000, ACK, null));
        cases.put("ACK of unsent data", p -> p.seg("ACK T+1000", p.snd, p.rcv + 1000, ACK, null));
        cases.put("data with an ACK of unsent data", p -> p.seg("data, ACK T+1000", p.snd, p.rcv + 1000, ACK | PSH, TEN));
        cases.put("no flags", p -> p.seg("no flags", p.snd, 0, 0, null));
        cases.put("no flags, out of window", p -> p.seg("no flags +1000000", p.snd + 1_000_000, 0, 0, null));
        cases.put("data without ACK", p -> p.seg("data", p.snd, 0, PSH, TEN));
        cases.put("FIN without ACK", p -> p.seg("FIN", p.snd, 0, FIN, null));
        cases.put("FIN without ACK, out of window", p -> p.seg("FIN -100000", p.snd - 100_000, 0, FIN, null));
        cases.put("ECE+CWR only", p -> p.seg("ECE+CWR", p.snd, 0, ECE_CWR, null));
        cases.put("data + FIN", p -> p.data("data+FIN", "hello", FIN));
        cases.put("data without the negotiated timestamps", p -> {
            p.omitTimestamps = true;
            p.data("data, no TSopt", "hello", 0);
            p.omitTimestamps = false;
        });
        cases.put("FIN out of order", p -> p.seg("FIN +100", p.snd + 100, p.rcv, ACK | FIN, null));
        cases.put("old timestamp (PAWS)", p -> {
            p.nextTsVal = 10;
            p.data("data, TSval 10", "hello", 0);
        });
        cases.put("RST with an old timestamp", p -> {
            p.nextTsVal = 10;
            p.seg("RST, TSval 10", p.snd, 0, RST, null);
        });
        cases.put("keepalive probe", p -> p.seg("ACK at RCV.NXT-1", p.snd - 1, p.rcv, ACK, null));
        cases.put("keepalive probe with a byte", p -> p.seg("1 byte at RCV.NXT-1", p.snd - 1, p.rcv, ACK, "x".getBytes()));
        cases.put("data overlapping the left edge", p -> {
            p.data("data", "hello", 0);
            p.seg("old and new bytes", p.snd - 3, p.rcv, ACK | PSH, "lloworld".getBytes());
            p.snd += 5;
        });
        cases.put("RST with data, exact", p -> p.seg("RST+data", p.snd, 0, RST, TEN));
        cases.put("two holes, then the first filled", p -> {
            p.seg("data +10", p.snd + 10, p.rcv, ACK | PSH, TEN);
            p.seg("data +30", p.snd + 30, p.rcv, ACK | PSH, TEN);
            p.seg("data +0", p.snd, p.rcv, ACK | PSH, TEN);
            p.snd += 20;
        });
        cases.put("data + FIN out of order", p -> {
            p.seg("data+FIN +10", p.snd + 10, p.rcv, ACK | PSH | FIN, TEN);
            p.seg("data +0", p.snd, p.rcv, ACK | PSH, TEN);
            p.snd += 21;
        });
        cases.put("URG data", p -> p.data("URG data", "hello", 0x20));
        for (var e : cases.entrySet()) {
            rows.add(new Row("ESTABLISHED: " + e.getKey(), true, p -> {
                p.establish();
                e.getValue().run(p);
                p.data("then data", "alive?", 0); // shows whether the connection survived
            }));
        }
    }

    private LinuxDifferentialRows() {}
}
