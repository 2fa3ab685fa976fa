package yastack.stack;

/** RFC 5681 slow start and congestion avoidance with the RFC 6582 window handling; byte counting per RFC 3465 (L=2). */
public final class NewReno implements CongestionControl {
    private long cwnd;
    private long ssthresh = Long.MAX_VALUE / 4;
    private int mss = 536;
    private long caCredit;

    @Override
    public void init(int mss, long nowNanos) {
        this.mss = mss;
        this.cwnd = 10L * mss;
    }

    @Override
    public void setMss(int mss) {
        this.mss = mss;
    }

    @Override
    public long cwnd() {
        return cwnd;
    }

    @Override
    public long ssthresh() {
        return ssthresh;
    }

    @Override
    public void onAck(long acked, long inFlight, long srttNanos, long nowNanos) {
        if (cwnd < ssthresh) {
            cwnd += Math.min(acked, 2L * mss);
        } else {
            caCredit += acked;
            if (caCredit >= cwnd) {
                caCredit -= cwnd;
                cwnd += mss;
            }
        }
    }

    @Override
    public void onCongestion(long inFlight, long nowNanos) {
        ssthresh = Math.max(inFlight / 2, 2L * mss);
        cwnd = ssthresh;
        caCredit = 0;
    }

    @Override
    public void onRecoveryEnd(long nowNanos) {
        cwnd = ssthresh;
    }

    @Override
    public void onRto(long inFlight, long nowNanos) {
        ssthresh = Math.max(inFlight / 2, 2L * mss);
        cwnd = mss;
        caCredit = 0;
    }

    @Override
    public String name() {
        return "newreno";
    }
}
