package yastack.proxy.edge;

import yastack.kernel.stats.Counter;
import yastack.kernel.stats.WorkerStats;

/**
 * One worker's cells for what an HTTP listener refused or cut to protect itself (Envoy's
 * names where it has them), looked up once when the listener is bound on the worker.
 */
public final class EdgeStats {
    // requests and connections: http.<name>.*
    public final Counter rqTooManyHeaders, rqHeadersTooLarge, rqUriTooLong, underscoreDropped, underscoreRejected, pathRejected, pathRedirected;
    public final Counter rqIdleTimeout, rqTimeout, rqMaxDuration, cxMaxDuration, overloadDisableKeepalive, rqOverloadClose;
    // HTTP/2 abuse: http.<name>.*
    public final Counter prematureResets, settingsFlood, pingFlood, emptyFramesFlood, continuationFlood, priorityFlood;

    public EdgeStats(WorkerStats s, String listener) {
        String h = "http." + listener + ".";
        rqTooManyHeaders = s.counter(h + "downstream_rq_too_many_headers");
        rqHeadersTooLarge = s.counter(h + "downstream_rq_headers_too_large");
        rqUriTooLong = s.counter(h + "downstream_rq_uri_too_long");
        underscoreDropped = s.counter(h + "dropped_headers_with_underscores");
        underscoreRejected = s.counter(h + "requests_rejected_with_underscores_in_headers");
        pathRejected = s.counter(h + "downstream_rq_path_rejected");
        pathRedirected = s.counter(h + "downstream_rq_path_redirected");
        rqIdleTimeout = s.counter(h + "downstream_rq_idle_timeout");
        rqTimeout = s.counter(h + "downstream_rq_timeout");
        rqMaxDuration = s.counter(h + "downstream_rq_max_duration_reached");
        cxMaxDuration = s.counter(h + "downstream_cx_max_duration_reached");
        overloadDisableKeepalive = s.counter(h + "downstream_cx_overload_disable_keepalive");
        rqOverloadClose = s.counter(h + "downstream_rq_overload_close");
        prematureResets = s.counter(h + "downstream_rq_too_many_premature_resets");
        settingsFlood = s.counter(h + "http2.settings_flood");
        pingFlood = s.counter(h + "http2.ping_flood");
        emptyFramesFlood = s.counter(h + "http2.inbound_empty_frames_flood");
        continuationFlood = s.counter(h + "http2.continuation_flood");
        priorityFlood = s.counter(h + "http2.inbound_priority_frames_flood");
    }
}
