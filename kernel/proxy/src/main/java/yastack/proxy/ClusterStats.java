package yastack.proxy;

import yastack.kernel.stats.Counter;
import yastack.kernel.stats.WorkerStats;

/** One worker's stats cells of one cluster ({@code cluster.<name>.*}, Envoy's names), looked up once. */
final class ClusterStats {
    final Counter rqTotal, rq1xx, rq2xx, rq3xx, rq4xx, rq5xx, rqTimeout, rqReset, rqOverflow, rqRetry;
    final Counter rqRetrySuccess, rqRetryLimitExceeded, rqPerTryTimeout, rqPerTryIdleTimeout, rqRetryOverflow, ejections5xx;
    final Counter cxTotal, cxActive, cxConnectFail, cxConnectTimeout, cxNone, cxOverflow, cxProtocolError, rqPendingActive, rqActive;

    ClusterStats(WorkerStats s, String cluster) {
        String p = "cluster." + cluster + ".";
        rqTotal = s.counter(p + "upstream_rq_total");
        rq1xx = s.counter(p + "upstream_rq_1xx");
        rq2xx = s.counter(p + "upstream_rq_2xx");
        rq3xx = s.counter(p + "upstream_rq_3xx");
        rq4xx = s.counter(p + "upstream_rq_4xx");
        rq5xx = s.counter(p + "upstream_rq_5xx");
        rqTimeout = s.counter(p + "upstream_rq_timeout");
        rqReset = s.counter(p + "upstream_rq_rx_reset");
        rqOverflow = s.counter(p + "upstream_rq_pending_overflow");
        rqRetry = s.counter(p + "upstream_rq_retry");
        rqRetrySuccess = s.counter(p + "upstream_rq_retry_success");
        rqRetryLimitExceeded = s.counter(p + "upstream_rq_retry_limit_exceeded");
        rqPerTryTimeout = s.counter(p + "upstream_rq_per_try_timeout");
        rqPerTryIdleTimeout = s.counter(p + "upstream_rq_per_try_idle_timeout");
        rqRetryOverflow = s.counter(p + "upstream_rq_retry_overflow");
        ejections5xx = s.counter(p + "outlier_detection.ejections_enforced_consecutive_5xx");
        cxTotal = s.counter(p + "upstream_cx_total");
        cxActive = s.gauge(p + "upstream_cx_active");
        cxConnectFail = s.counter(p + "upstream_cx_connect_fail");
        cxConnectTimeout = s.counter(p + "upstream_cx_connect_timeout");
        cxNone = s.counter(p + "upstream_cx_none_healthy");
        cxOverflow = s.counter(p + "upstream_cx_overflow");
        cxProtocolError = s.counter(p + "upstream_cx_protocol_error");
        rqPendingActive = s.gauge(p + "upstream_rq_pending_active");
        rqActive = s.gauge(p + "upstream_rq_active");
    }

    /** An answer's status, counted by class. */
    void countStatus(int status) {
        rqTotal.inc();
        switch (status / 100) {
            case 1 -> rq1xx.inc();
            case 2 -> rq2xx.inc();
            case 3 -> rq3xx.inc();
            case 4 -> rq4xx.inc();
            default -> rq5xx.inc();
        }
    }
}
