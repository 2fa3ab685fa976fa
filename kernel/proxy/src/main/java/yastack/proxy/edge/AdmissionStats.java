package yastack.proxy.edge;

import yastack.kernel.stats.Counter;
import yastack.kernel.stats.WorkerStats;

/** One worker's cells for connections a listener accepted and closed at once ({@code listener.<name>.*}, Envoy's names). */
public final class AdmissionStats {
    /** Over the listener's max_connections. */
    public final Counter cxOverflow;
    /** Over the overload manager's max_active_downstream_connections. */
    public final Counter cxGlobalOverflow;
    /** Refused while memory is above the first overload watermark. */
    public final Counter cxOverloadReject;

    public AdmissionStats(WorkerStats s, String listener) {
        String l = "listener." + listener + ".";
        cxOverflow = s.counter(l + "downstream_cx_overflow");
        cxGlobalOverflow = s.counter(l + "downstream_global_cx_overflow");
        cxOverloadReject = s.counter(l + "downstream_cx_overload_reject");
    }
}
