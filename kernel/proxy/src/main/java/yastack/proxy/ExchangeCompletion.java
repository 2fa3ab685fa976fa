package yastack.proxy;

import io.netty.handler.codec.http.HttpResponse;
import yastack.api.AccessLogger;
import yastack.proxy.filter.NettyResponseHead;
import yastack.proxy.trace.ExchangeTrace;

/**
 * How an exchange ends, gathered while it runs — the status sent, Envoy's response flags,
 * whether the proxy answered itself — and recorded once at the end: the listener's stats,
 * the filters' completion hook, the access log and the trace. The exchange's base class
 * rather than a field, so a request costs no extra object.
 */
abstract sealed class ExchangeCompletion permits HttpExchange {
    private int status;
    /** Envoy's response flags for the access log: "-" for none, else comma-separated. */
    private String flags = "-";
    private boolean localReplied;

    final void status(int code) {
        status = code;
    }

    /** The proxy answered {@code code} in place of the upstream. */
    final void repliedLocally(int code) {
        status = code;
        localReplied = true;
    }

    /** The flags so far give way to {@code flags}: the latest failure is the one that answered. */
    final void flags(String flags) {
        this.flags = flags;
    }

    final void addFlag(String flag) {
        flags = flags.equals("-") ? flag : flags + "," + flag;
    }

    /**
     * Stats, the filters' completion hook and the access log; {@code reset}: the stream was cut,
     * not completed. The summary is built only when something reads it.
     */
    final void record(boolean reset) {
        HttpExchange ex = (HttpExchange) this;
        long nanos = System.nanoTime() - ex.startNanos;
        ex.down.recordCompletion(ex, status, nanos);
        ExchangeFilters filters = ex.filters();
        ExchangeTrace trace = ex.trace();
        if (filters == null && ex.listener.loggers().isEmpty() && (trace == null || !trace.recording())) return;
        HttpResponse sent = ex.response().head();
        UpstreamCluster cluster = ex.cluster();
        UpstreamLeg leg = ex.leg();
        ExchangeSummary summary = new ExchangeSummary(reset ? 0 : status, ex.body().bytes(), ex.response().bytesOut(), nanos,
                cluster == null ? "" : cluster.runtime.name(),
                leg == null ? null : cluster.endpoint(leg.endpointIndex()).resolve(), localReplied, reset, ex.head(),
                sent == null ? null : new NettyResponseHead(sent), flags, ex.requestId(), leg == null ? 0 : leg.attempts());
        if (filters != null) filters.complete(summary);
        for (AccessLogger l : ex.listener.loggers()) l.log(ex.stream(), summary);
        if (trace != null) trace.finish(ex.stream(), summary, ex.down.stats.tracing());
    }
}
