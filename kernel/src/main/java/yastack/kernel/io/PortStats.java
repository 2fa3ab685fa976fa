package yastack.kernel.io;

/**
 * Port or queue counters. Packets and bytes count what crossed the API; drops say why a
 * frame was lost: no buffer (pool or slot exhausted), ring full (a receive ring the device
 * or the kernel could not fill, or a transmit ring that refused the frame), errors (the
 * device or the system call failed).
 */
public record PortStats(
        long rxPackets, long rxBytes, long txPackets, long txBytes,
        long rxNoBuffer, long rxRingFull, long rxErrors,
        long txNoBuffer, long txRingFull, long txErrors) {

    public static final PortStats ZERO = new PortStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    public PortStats plus(PortStats o) {
        return new PortStats(rxPackets + o.rxPackets, rxBytes + o.rxBytes,
                txPackets + o.txPackets, txBytes + o.txBytes,
                rxNoBuffer + o.rxNoBuffer, rxRingFull + o.rxRingFull, rxErrors + o.rxErrors,
                txNoBuffer + o.txNoBuffer, txRingFull + o.txRingFull, txErrors + o.txErrors);
    }

    public long drops() {
        return rxNoBuffer + rxRingFull + rxErrors + txNoBuffer + txRingFull + txErrors;
    }
}
