package yastack.stack;

import static yastack.stack.DiffPeer.ACK;
import static yastack.stack.DiffPeer.FIN;
import static yastack.stack.DiffPeer.RST;
import static yastack.stack.DiffPeer.SYN;

import java.util.List;
import java.util.Map;
import yastack.stack.LinuxDifferentialRows.Row;
import yastack.stack.LinuxDifferentialRows.Script;

/** {@link LinuxDifferentialTest}'s rows for the closing states, checked against Linux as the others are. */
final class ClosingDifferentialRows {
    private ClosingDifferentialRows() {}

    /** The closing states: the peer's FIN first (CLOSE-WAIT, LAST-ACK), ours first (FIN-WAIT-1/2, CLOSING, TIME-WAIT). */
    static void addTo(List<Row> rows) {
        Script closeWait = p -> {
            p.establish();
            p.data("FIN", "", FIN);
        };
        Map<String, Script> inCloseWait = new java.util.LinkedHashMap<>();
        inCloseWait.put("data after the FIN", p -> p.data("data", "late", 0));
        inCloseWait.put("FIN again", p -> p.seg("FIN again", p.snd - 1, p.rcv, ACK | FIN, null));
        inCloseWait.put("RST in window, not exact", p -> p.seg("RST +100", p.snd + 100, 0, RST, null));
        inCloseWait.put("SYN in window", p -> p.seg("SYN +100", p.snd + 100, 0, SYN, null));
        inCloseWait.put("no flags", p -> p.seg("no flags", p.snd, 0, 0, null));
        inCloseWait.put("RST at RCV.NXT-1 (on the FIN)", p -> p.seg("RST -1", p.snd - 1, 0, RST, null));
        for (var e : inCloseWait.entrySet()) {
            rows.add(new Row("CLOSE-WAIT: " + e.getKey(), true, p -> {
                closeWait.run(p);
                e.getValue().run(p);
                p.seg("then an ACK", p.snd, p.rcv, ACK, null);
            }));
        }
        Script lastAck = p -> {
            closeWait.run(p);
            p.appClose();
        };
        Map<String, Script> inLastAck = new java.util.LinkedHashMap<>();
        inLastAck.put("ACK of the FIN", p -> p.ackAll("ACK of FIN"));
        inLastAck.put("FIN again", p -> p.seg("FIN again", p.snd - 1, p.rcv, ACK | FIN, null));
        inLastAck.put("RST in window, not exact", p -> p.seg("RST +100", p.snd + 100, 0, RST, null));
        inLastAck.put("RST exact", p -> p.seg("RST", p.snd, 0, RST, null));
        inLastAck.put("RST at RCV.NXT-1 (on the FIN)", p -> p.seg("RST -1", p.snd - 1, 0, RST, null));
        inLastAck.put("SYN in window", p -> p.seg("SYN +100", p.snd + 100, 0, SYN, null));
        inLastAck.put("data", p -> p.data("data", "late", 0));
        inLastAck.put("ACK of unsent data", p -> p.seg("ACK T+1000", p.snd, p.targetNext + 1000, ACK, null));
        for (var e : inLastAck.entrySet()) {
            rows.add(new Row("LAST-ACK: " + e.getKey(), true, p -> {
                lastAck.run(p);
                e.getValue().run(p);
                p.ackAll("then the ACK of the FIN");
            }));
        }
        Script finWait1 = p -> {
            p.establish();
            p.appClose();
        };
        Map<String, Script> inFinWait1 = new java.util.LinkedHashMap<>();
        inFinWait1.put("data", p -> p.data("data", "late", 0));
        inFinWait1.put("FIN without the ACK of ours (CLOSING)", p -> p.data("FIN", "", FIN));
        inFinWait1.put("FIN with the ACK of ours", p -> {
            p.rcv = p.targetNext;
            p.data("FIN+ACK", "", FIN);
        });
        inFinWait1.put("RST in window, not exact", p -> p.seg("RST +100", p.snd + 100, 0, RST, null));
        inFinWait1.put("SYN in window", p -> p.seg("SYN +100", p.snd + 100, 0, SYN, null));
        inFinWait1.put("no flags", p -> p.seg("no flags", p.snd, 0, 0, null));
        inFinWait1.put("ACK of unsent data", p -> p.seg("ACK T+1000", p.snd, p.targetNext + 1000, ACK, null));
        for (var e : inFinWait1.entrySet()) {
            rows.add(new Row("FIN-WAIT-1: " + e.getKey(), true, p -> {
                finWait1.run(p);
                e.getValue().run(p);
            }));
        }
        Script finWait2 = p -> {
            finWait1.run(p);
            p.ackAll("ACK of FIN");
        };
        Map<String, Script> inFinWait2 = new java.util.LinkedHashMap<>();
        inFinWait2.put("data", p -> p.data("data", "late", 0));
        inFinWait2.put("FIN", p -> p.data("FIN", "", FIN));
        inFinWait2.put("data + FIN", p -> p.data("data+FIN", "late", FIN));
        inFinWait2.put("RST in window, not exact", p -> p.seg("RST +100", p.snd + 100, 0, RST, null));
        inFinWait2.put("RST exact", p -> p.seg("RST", p.snd, 0, RST, null));
        inFinWait2.put("SYN in window", p -> p.seg("SYN +100", p.snd + 100, 0, SYN, null));
        inFinWait2.put("no flags", p -> p.seg("no flags", p.snd, 0, 0, null));
        inFinWait2.put("FIN without ACK", p -> p.seg("FIN", p.snd, 0, FIN, null));
        inFinWait2.put("old ACK", p -> p.seg("ACK T-100000", p.snd, p.rcv - 100_000, ACK, null));
        for (var e : inFinWait2.entrySet()) {
            rows.add(new Row("FIN-WAIT-2: " + e.getKey(), true, p -> {
                finWait2.run(p);
                e.getValue().run(p);
                p.seg("then an ACK", p.snd, p.rcv, ACK, null);
            }));
        }
        Script closingState = p -> {
            finWait1.run(p);
            p.data("FIN (CLOSING)", "", FIN);
        };
        rows.add(new Row("CLOSING: ACK of the FIN", true, p -> {
            closingState.run(p);
            p.ackAll("ACK of FIN");
            p.seg("then an ACK", p.snd, p.rcv, ACK, null);
        }));
        rows.add(new Row("CLOSING: RST at RCV.NXT-1 (on the FIN)", true, p -> {
            closingState.run(p);
            p.seg("RST -1", p.snd - 1, 0, RST, null);
            p.ackAll("then the ACK of the FIN");
        }));
        rows.add(new Row("CLOSING: RST in window, not exact", true, p -> {
            closingState.run(p);
            p.seg("RST +100", p.snd + 100, 0, RST, null);
        }));
        Script timeWait = p -> {
            finWait2.run(p);
            p.data("FIN", "", FIN);
        };
        Map<String, Script> inTimeWait = new java.util.LinkedHashMap<>();
        inTimeWait.put("FIN again", p -> p.seg("FIN again", p.snd - 1, p.rcv, ACK | FIN, null));
        inTimeWait.put("bare ACK", p -> p.seg("ACK", p.snd, p.rcv, ACK, null));
        inTimeWait.put("data", p -> p.data("data", "late", 0));
        inTimeWait.put("RST exact", p -> p.seg("RST", p.snd, 0, RST, null));
        inTimeWait.put("RST in window, not exact", p -> p.seg("RST +100", p.snd + 100, 0, RST, null));
        inTimeWait.put("SYN with a higher sequence (new incarnation)", p -> p.seg("SYN +100000", p.snd + 100_000, 0, SYN, null));
        inTimeWait.put("SYN with a lower sequence", p -> p.seg("SYN -100", p.snd - 100, 0, SYN, null));
        inTimeWait.put("no flags", p -> p.seg("no flags", p.snd, 0, 0, null));
        inTimeWait.put("FIN without ACK", p -> p.seg("FIN", p.snd, 0, FIN, null));
        inTimeWait.put("ACK of unsent data", p -> p.seg("ACK T+1000", p.snd, p.rcv + 1000, ACK, null));
        inTimeWait.put("SYN+FIN", p -> p.seg("SYN+FIN", p.snd + 100_000, 0, SYN | FIN, null));
        for (var e : inTimeWait.entrySet()) {
            rows.add(new Row("TIME-WAIT: " + e.getKey(), true, p -> {
                timeWait.run(p);
                e.getValue().run(p);
            }));
        }
    }
}
