package yastack.kernel.stats;

import org.HdrHistogram.SingleWriterRecorder;

/**
 * A latency histogram cell owned by one worker thread (wait-free single-writer
 * recording); the stats store drains its intervals into a cumulative histogram on read.
 */
public final class Histogram {
    /** Values are recorded in microseconds, up to one hour, 3 significant digits. */
    static final long HIGHEST = 3_600_000_000L;

    private final SingleWriterRecorder recorder = new SingleWriterRecorder(1, HIGHEST, 3);
    private final org.HdrHistogram.Histogram cumulative = new org.HdrHistogram.Histogram(1, HIGHEST, 3);

    public void recordMicros(long micros) {
        recorder.recordValue(Math.max(1, Math.min(HIGHEST, micros)));
    }

    /** Folds what was recorded since the last call into the cumulative view and returns it. */
    synchronized org.HdrHistogram.Histogram drainInto(org.HdrHistogram.Histogram target) {
        cumulative.add(recorder.getIntervalHistogram());
        target.add(cumulative);
        return target;
    }
}
