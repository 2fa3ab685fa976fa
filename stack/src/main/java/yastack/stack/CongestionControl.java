package yastack.stack;

/**
 * A pluggable congestion controller, one instance per connection, driven by the sender. Sizes are in bytes.
 * Loss detection and recovery (fast retransmit, NewReno/SACK recovery, RTO) stay in the stack; the controller
 * only decides the window.
 */
public interface CongestionControl {
    /** Called once the connection's MSS is known. Sets the initial window (RFC 6928: 10 segments). */
    void init(int mss, long nowNanos);

    /** The MSS shrank (PMTU) or changed. */
    void setMss(int mss);

    long cwnd();

    long ssthresh();

    /** New data was cumulatively acknowledged outside recovery. {@code srttNanos} is 0 until measured. */
    void onAck(long ackedBytes, long inFlight, long srttNanos, long nowNanos);

    /** Loss detected by duplicate ACKs or SACK: enter fast recovery. */
    void onCongestion(long inFlight, long nowNanos);

    /** Fast recovery ended (everything outstanding at its start is acknowledged). */
    void onRecoveryEnd(long nowNanos);

    /** The retransmission timer fired. */
    void onRto(long inFlight, long nowNanos);

    String name();
}
