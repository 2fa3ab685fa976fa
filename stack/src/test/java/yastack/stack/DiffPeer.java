package yastack.stack;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The scripted peer of one differential row: sends hand-made segments to a {@link DiffTarget} and writes what the
 * target answers as a transcript that does not depend on the target's choices. Sequence numbers of the target are
 * written relative to its ISN ({@code T+n}, or {@code isn} for a SYN's own), acknowledgment numbers relative to the
 * peer's ISN ({@code P+n}); windows, options and PSH are left out.
 */
final class DiffPeer {
    static final int PISS = 1_000_000;
    static final int FIN = Pkt.FIN, SYN = Pkt.SYN, RST = Pkt.RST, PSH = Pkt.PSH, ACK = Pkt.ACK, ECE = Pkt.ECE, CWR = Pkt.CWR,
            ECE_CWR = ECE | CWR, AE = Pkt.AE;

    final DiffTarget target;
    final int sport;
    final int dport;
    /** The peer's next sequence number. */
    int snd = PISS;
    /** What the peer acknowledges; rows move it on explicitly (e.g. to leave the target's FIN unacknowledged). */
    int rcv;
    /** The target's ISN, once its SYN-ACK arrived. */
    Integer iss;
    /** The end of what the target sent so far (its SND.NXT as the peer saw it). */
    int targetNext;
    private boolean ts;
    /** Leave the negotiated timestamps out of the next segments. */
    boolean omitTimestamps;
    /** Send the next SYN without any option (then cleared). */
    boolean bareSyn;
    /** When set, the TSval of the next segment (then cleared): an old one trips PAWS. */
    Integer nextTsVal;
    /** The IP type of service of the next segment (then cleared); its low two bits are the ECN field. */
    private int nextTos;

    /** The next frame goes with type of service {@code tos} (an ECN mark, say); then back to 0. */
    DiffPeer marked(int tos) {
        nextTos = tos;
        return this;
    }
    /** The flags of the SYN {@link #syn()} sends: with ECE and CWR it asks for ECN (RFC 3168 6.1.1). */
    int synFlags = SYN;
    private int tsVal = 1000;
    private int tsEcr;
    final List<String> transcript = new ArrayList<>();

    DiffPeer(DiffTarget target, int sport, int dport) {
        this.target = target;
        this.sport = sport;
        this.dport = dport;
    }

    /** Sends one segment (with timestamps once they are negotiated) and records the answer under {@code label}. */
    List<Pkt> seg(String label, int seq, int ack, int flags, byte[] payload) throws Throwable {
        byte[] frame = segFrame(seq, ack, flags, payload);
        // data and FIN may be acknowledged late (delayed ACK; Linux delays the ACK of a FIN that moves it to
        // CLOSE_WAIT, hoping to send it with its own FIN): wait for answers a while
        List<Pkt> answers = target.send(frame, (payload != null && payload.length > 0) || (flags & FIN) != 0);
        record(label, answers);
        return answers;
    }

    /** The frame {@link #seg} sends, for a row that alters it (e.g. into fragments) and sends it with {@link #frame}. */
    byte[] segFrame(int seq, int ack, int flags, byte[] payload) {
        int tsv = nextTsVal != null ? nextTsVal : ++tsVal;
        nextTsVal = null;
        byte[] opts = (flags & SYN) != 0 ? (bareSyn ? null : Probe.synOpts(tsv))
                : ts && !omitTimestamps ? Probe.tsOpts(tsv, tsEcr) : null;
        bareSyn = false;
        byte[] frame = Pkt.tcpFrame(Probe.STACK_MAC, Probe.PEER_MAC, Probe.PEER, Probe.STACK, sport, dport, seq, ack, flags,
                (flags & SYN) != 0 ? 65535 : 512, opts, payload);
        if (nextTos != 0) {
            IpDifferentialRows.withTos(frame, nextTos);
            nextTos = 0;
        }
        return frame;
    }

    /** Sends a hand-made frame of any kind and records every frame the target sends in answer. */
    void frame(String label, byte[] frame) throws Throwable {
        recordFrames(label, target.sendFrame(frame));
    }

    /** Records {@code frames} under {@code label}: all but TCP segments of other rows' connections (their retransmissions). */
    private void recordFrames(String label, List<byte[]> frames) {
        List<String> shown = new ArrayList<>();
        for (byte[] a : frames) {
            Pkt p = Pkt.parse(a);
            if (p == null) {
                shown.add(IpDifferentialRows.describe(a));
            } else if (p.sport() == dport && p.dport() == sport) {
                shown.add(describe(p));
            }
        }
        transcript.add(label + " -> " + (shown.isEmpty() ? "nothing" : String.join(", ", shown)));
    }

    /** Sets a sysctl of the kernel's namespace (nothing for our stack, whose defaults a row compares with). */
    void kernelSetting(String setting) throws Exception {
        target.kernelSetting(setting);
    }

    /** Lets {@code ms} pass; records every frame the target sends meanwhile. */
    void idle(String label, long ms) throws Throwable {
        recordFrames(label, target.idle(ms));
    }

    /** The application closes the accepted connection; records what the target sends. */
    void appClose() throws Throwable {
        record("app close", target.appClose(dport));
    }

    /** The application writes {@code text} on the accepted connection; records what the target sends. */
    void appWrite(String text) throws Throwable {
        record("app writes " + text.length() + " B", target.appWrite(dport, text.getBytes()));
    }

    /** The target's application connects to the peer; learns the target's ISN from its SYN. */
    void connect() throws Throwable {
        record("app connect", target.connect(dport, sport));
        if (iss == null) {
            throw new AssertionError(target.name() + " sent no SYN: " + transcript);
        }
    }

    /** SYN ({@link #synFlags}) from the peer's ISN; learns the target's ISN from the SYN-ACK. */
    void syn() throws Throwable {
        seg(flagNames(synFlags), PISS, 0, synFlags, null);
        if (iss == null) {
            throw new AssertionError(target.name() + " did not answer the SYN with a SYN-ACK: " + transcript);
        }
        snd = PISS + 1;
    }

    /** SYN, SYN-ACK, ACK to a listener on {@link #dport}. */
    DiffPeer establish() throws Throwable {
        syn();
        seg("handshake ACK", snd, rcv, ACK, null);
        return this;
    }

    /** Sends data at SND.NXT with ACK of {@link #rcv}, and moves SND.NXT on. */
    void data(String label, String text, int moreFlags) throws Throwable {
        byte[] b = text.getBytes();
        seg(label, snd, rcv, ACK | PSH | moreFlags, b);
        snd += b.length + ((moreFlags & FIN) != 0 ? 1 : 0);
    }

    /** Sends data at SND.NXT with {@code options} whatever was negotiated, waits for a delayed ACK, and moves SND.NXT on. */
    void dataWithOptions(String label, String text, byte[] options) throws Throwable {
        byte[] b = text.getBytes();
        byte[] frame = Pkt.tcpFrame(Probe.STACK_MAC, Probe.PEER_MAC, Probe.PEER, Probe.STACK, sport, dport, snd, rcv, ACK | PSH, 512,
                options, b);
        record(label, target.send(frame, true));
        snd += b.length;
    }

    /** Acknowledges everything the target sent. */
    void ackAll(String label) throws Throwable {
        rcv = targetNext;
        seg(label, snd, rcv, ACK, null);
    }

    private void record(String label, List<Pkt> answers) {
        List<String> shown = new ArrayList<>();
        for (Pkt a : answers) {
            if (a.sport() != dport || a.dport() != sport) {
                continue;
            }
            if (a.has(SYN)) {
                iss = a.seq();
                rcv = a.seq() + 1;
                targetNext = rcv;
                ts = a.option(8) != null;
                if (ts) {
                    // echoed from here on: Linux (6.x) checks that the ACK completing its handshake echoes the TSval
                    // of a SYN-ACK it sent, and an echo of a later ACK's TSval would make rows depend on its clock
                    tsEcr = ByteBuffer.wrap(a.option(8)).getInt(0);
                }
            }
            if (iss != null && !a.has(RST)) {
                int end = a.seq() + a.payload().length + (a.has(SYN) ? 1 : 0) + (a.has(FIN) ? 1 : 0);
                if (Seq.gt(end, targetNext)) {
                    targetNext = end;
                }
            }
            shown.add(describe(a));
        }
        transcript.add(label + " -> " + (shown.isEmpty() ? "nothing" : String.join(", ", shown)));
    }

    /** The flags a transcript shows (PSH and URG left out), e.g. {@code SYN|ACK|ECE}. */
    static String flagNames(int flags) {
        StringBuilder sb = new StringBuilder();
        String[] names = {"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR", "AE"};
        for (int i : new int[] {1, 0, 2, 4, 6, 7, 8}) {
            if ((flags & 1 << i) != 0) {
                sb.append(sb.isEmpty() ? "" : "|").append(names[i]);
            }
        }
        return sb.toString();
    }

    private String describe(Pkt a) {
        StringBuilder sb = new StringBuilder(flagNames(a.flags()));
        sb.append(" seq=");
        if (a.has(SYN)) {
            // the options offered, and the MSS; the window scale's value follows the buffer sizes, not the protocol
            sb.append("isn <");
            byte[] mss = a.option(2);
            sb.append(mss == null ? "no mss" : "mss=" + ByteBuffer.wrap(mss).getShort(0));
            sb.append(a.option(3) != null ? ",ws" : "").append(a.option(4) != null ? ",sack" : "").append(a.option(8) != null ? ",ts" : "");
            sb.append('>');
        } else if (a.has(RST) && a.seq() == 0) {
            sb.append('0');
        } else if (iss != null) {
            sb.append("T+").append(a.seq() - iss);
        } else {
            sb.append(Integer.toUnsignedString(a.seq()));
        }
        if (a.has(ACK)) {
            sb.append(" ack=P").append(a.ack() - PISS >= 0 ? "+" : "").append(a.ack() - PISS);
        }
        if (a.payload().length > 0) {
            sb.append(" len=").append(a.payload().length);
        }
        byte[] sack = a.option(5);
        if (sack != null) {
            // RFC 2018 blocks (first a D-SACK one, RFC 2883), relative to the peer's ISN
            ByteBuffer b = ByteBuffer.wrap(sack);
            sb.append(" sack=");
            for (int i = 0; i + 8 <= sack.length; i += 8) {
                sb.append(i == 0 ? "" : ",").append("P+").append(b.getInt(i) - PISS).append("..P+").append(b.getInt(i + 4) - PISS);
            }
        }
        if (a.tos() != 0) {
            sb.append(" tos=0x").append(Integer.toHexString(a.tos())); // ECT(0) on data is 0x2 (RFC 3168 5)
        }
        return sb.toString();
    }
}
