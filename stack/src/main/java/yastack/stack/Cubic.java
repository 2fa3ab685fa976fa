package yastack.stack;

/** CUBIC (RFC 9438) with fast convergence and the Reno-friendly region; slow start below ssthresh. */
public final class Cubic implements CongestionControl {
    private static final double C = 0.4;
    private static final double BETA = 0.7;
    private static final double ALPHA = 3 * (1 - BETA) / (1 + BETA);

    private long cwnd;
    private long ssthresh = Long.MAX_VALUE / 4;
    private int mss = 536;
    private double wMax;          // segments
    private double wLastMax;      // segments
    private double k;             // seconds
    private long epochStart = -1; // nanos, -1 = no epoch
    private double wEst;          // segments, Reno-friendly estimate
    private long caAcked;

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
            return;
        }
        double segs = (double) cwnd / mss;
        if (epochStart < 0) {
            epochStart = nowNanos;
            if (wMax <= segs) {
                wMax = segs;
                k = 0;
            } else {
                k = Math.cbrt((wMax - segs) / C);
            }
            wEst = segs;
        }
        double t = (nowNanos - epochStart + srttNanos) / 1e9;
        double target = C * Math.pow(t - k, 3) + wMax;
        if (target > 1.5 * segs) {
            target = 1.5 * segs;
        }
        wEst += ALPHA * ((double) acked / mss) / segs;
        double next;
        if (wEst > target) {
            next = wEst;
        } else if (target > segs) {
            next = segs + (target - segs) / segs * ((double) acked / mss);
        } else {
            // Stay put in the plateau but keep creeping like TCP would after a full window.
            caAcked += acked;
            next = segs;
            if (caAcked >= 100L * cwnd) {
                caAcked = 0;
                next = segs + 1;
            }
        }
        long nc = (long) (next * mss);
        if (nc > cwnd) {
            cwnd = nc;
        }
    }

    @Override
    public void onCongestion(long inFlight, long nowNanos) {
        double segs = (double) cwnd / mss;
        if (segs < wLastMax) {
            wLastMax = segs;
            wMax = segs * (1 + BETA) / 2;
        } else {
            wLastMax = segs;
            wMax = segs;
        }
        ssthresh = Math.max((long) (cwnd * BETA), 2L * mss);
        cwnd = ssthresh;
        epochStart = -1;
    }

    @Override
    public void onRecoveryEnd(long nowNanos) {
        cwnd = ssthresh;
        epochStart = -1;
    }

    @Override
    public void onRto(long inFlight, long nowNanos) {
        onCongestion(inFlight, nowNanos);
        cwnd = mss;
        epochStart = -1;
    }

    @Override
    public String name() {
        return "cubic";
    }
}
