package yastack.proxy;

import yastack.kernel.stats.Counter;
import yastack.kernel.stats.Histogram;
import yastack.kernel.stats.WorkerStats;
import yastack.proxy.edge.EdgeStats;
import yastack.proxy.trace.TracingStats;

/** One worker's stats cells for one listener, looked up once at bind time. */
final class ListenerStats {
    final Counter cxTotal, cxActive, cxHttp1Total, cxHttp1Active, cxHttp2Total, cxHttp2Active, cxProtocolError, cxDestroyActiveRq, cxIdleTimeout, upgradesTotal, upgradesActive;
    final Counter gzipCompressed, gzipNotCompressed, gzipUncompressedBytes, gzipCompressedBytes;
    final Counter rqTotal, rqActive, rq1xx, rq2xx, rq3xx, rq4xx, rq5xx, rqRejected, rqTooLarge, noRoute;
    final Histogram rqTime;
    /** What the listener refused or cut to protect itself. */
    final EdgeStats edge;
    final RouteStats.Cache routes;
    private final WorkerStats cells;
    private final String listener;
    private TracingStats tracing;

    ListenerStats(WorkerStats s, String listener) {
        this.cells = s;
        this.listener = listener;
        this.routes = new RouteStats.Cache(s);
        String l = "listener." + listener + ".";
        String h = "http." + listener + ".";
        cxTotal = s.counter(l + "downstream_cx_total");
        cxActive = s.gauge(l + "downstream_cx_active");
        cxHttp1Total = s.counter(h + "downstream_cx_http1_total");
        cxHttp1Active = s.gauge(h + "downstream_cx_http1_active");
        cxHttp2Total = s.counter(h + "downstream_cx_http2_total");
        cxHttp2Active = s.gauge(h + "downstream_cx_http2_active");
        cxProtocolError = s.counter(h + "downstream_cx_protocol_error");
        cxDestroyActiveRq = s.counter(h + "downstream_cx_destroy_active_rq");
        cxIdleTimeout = s.counter(h + "downstream_cx_idle_timeout");
        upgradesTotal = s.counter(h + "downstream_cx_upgrades_total");
        upgradesActive = s.gauge(h + "downstream_cx_upgrades_active");
        gzipCompressed = s.counter(h + "gzip.compressed");
        gzipNotCompressed = s.counter(h + "gzip.not_compressed");
        gzipUncompressedBytes = s.counter(h + "gzip.total_uncompressed_bytes");
        gzipCompressedBytes = s.counter(h + "gzip.total_compressed_bytes");
        rqTotal = s.counter(h + "downstream_rq_total");
        rqActive = s.gauge(h + "downstream_rq_active");
        rq1xx = s.counter(h + "downstream_rq_1xx");
        rq2xx = s.counter(h + "downstream_rq_2xx");
        rq3xx = s.counter(h + "downstream_rq_3xx");
        rq4xx = s.counter(h + "downstream_rq_4xx");
        rq5xx = s.counter(h + "downstream_rq_5xx");
        rqRejected = s.counter(h + "downstream_rq_rejected");
        rqTooLarge = s.counter(h + "downstream_rq_too_large");
        noRoute = s.counter(h + "no_route");
        rqTime = s.histogram(h + "downstream_rq_time");
        edge = new EdgeStats(s, listener);
    }

    /** The tracing counters, made when the listener first traces a request. */
    TracingStats tracing() {
        if (tracing == null) tracing = new TracingStats(cells, listener);
        return tracing;
    }

    void countStatus(int status) {
        switch (status / 100) {
            case 1 -> rq1xx.inc();
            case 2 -> rq2xx.inc();
            case 3 -> rq3xx.inc();
            case 4 -> rq4xx.inc();
            default -> rq5xx.inc();
        }
    }
}
