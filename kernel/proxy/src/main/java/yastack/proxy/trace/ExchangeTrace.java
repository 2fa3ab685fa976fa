package yastack.proxy.trace;

import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import yastack.api.HttpRequestHead;
import yastack.api.HttpStream;
import yastack.api.StreamSummary;
import yastack.api.TraceSpan;
import yastack.api.trace.FinishedSpan;
import yastack.api.trace.FinishedSpan.Attribute;

/**
 * The trace of one request on its worker: the server span (what filters see as
 * {@link HttpStream#span}) and a client span per upstream try, retries included, each try's
 * id sent upstream as the {@code traceparent} parent. Spans are recorded only when the
 * request is sampled, or may still be exported for an error; at the end they are handed to
 * the listener's sink as plain records, which its own thread turns into the export format.
 */
public final class ExchangeTrace implements TraceSpan {
    /** Epoch nanoseconds at nanoTime 0: spans are timed with the monotonic clock and dated once. */
    private static final long EPOCH_OFFSET_NANOS;

    static {
        Instant now = Instant.now();
        EPOCH_OFFSET_NANOS = now.getEpochSecond() * 1_000_000_000L + now.getNano() - System.nanoTime();
    }

    private final ListenerTracing tracing;
    private final long traceHigh;
    private final long traceLow;
    private final long spanId;
    private final long parentSpanId;
    private final String traceState;
    private final boolean sampled;
    private final String clientTraceId;
    private final B3.Form b3Form;
    private final SplittableRandom random;
    private final long startNanos;
    /** Spans are kept: sampled, or an error may still export them. */
    private final boolean recording;
    private List<Attribute> attributes;
    private List<FinishedSpan> tries;

    private boolean tryOpen;
    private long trySpanId;
    private long tryStartNanos;
    private int tryAttempt;
    private int tryStatus;
    private String tryCluster;
    private String tryEndpoint;
    private String tryMethod;
    private String tryUrl;

    ExchangeTrace(ListenerTracing tracing, long traceHigh, long traceLow, long spanId, long parentSpanId, String traceState,
                  boolean sampled, String clientTraceId, B3.Form b3Form, SplittableRandom random, long startNanos) {
        this.tracing = tracing;
        this.traceHigh = traceHigh;
        this.traceLow = traceLow;
        this.spanId = spanId;
        this.parentSpanId = parentSpanId;
        this.traceState = traceState;
        this.sampled = sampled;
        this.clientTraceId = clientTraceId;
        this.b3Form = b3Form;
        this.random = random;
        this.startNanos = startNanos;
        this.recording = sampled || tracing.sampleErrors;
    }

    /** Whether anything about this request may be exported (sampled, or errors always are). */
    public boolean recording() {
        return recording;
    }

    // ---- TraceSpan: what filters and scripts see ----

    @Override
    public String traceId() {
        return TraceParent.hex(traceHigh) + TraceParent.hex(traceLow);
    }

    @Override
    public String spanId() {
        return TraceParent.hex(spanId);
    }

    @Override
    public boolean sampled() {
        return sampled;
    }

    @Override
    public TraceSpan setAttribute(String key, Object value) {
        if (!recording || key == null || key.isEmpty() || value == null) return this;
        if (attributes == null) attributes = new ArrayList<>(4);
        attributes.add(new Attribute(key, normalize(value)));
        return this;
    }

    private static Object normalize(Object v) {
        return switch (v) {
            case String s -> s;
            case Boolean b -> b;
            case Double d -> d == Math.rint(d) && Math.abs(d) < 9.0e15 ? (Object) d.longValue() : d;
            case Float f -> normalize(f.doubleValue());
            case Number n -> n.longValue();
            default -> v.toString();
        };
    }

    // ---- upstream tries ----

    /** A try starts (connect included): a new client span, whose id the request carries upstream. */
    public void tryStarted(String cluster, String endpoint, int attempt, String method, String url) {
        if (tryOpen) tryEnded("UR");
        tryOpen = true;
        trySpanId = ListenerTracing.nonZero(random);
        tryStartNanos = System.nanoTime();
        tryAttempt = attempt;
        tryStatus = 0;
        tryCluster = cluster;
        tryEndpoint = endpoint;
        tryMethod = method;
        tryUrl = url;
    }

    /**
     * Sets the request's {@code traceparent} (this try as parent) and {@code tracestate} before it
     * goes up, and its B3 headers when it came with some.
     */
    public void inject(HttpHeaders upstream) {
        long parent = tryOpen ? trySpanId : spanId;
        upstream.set("traceparent", TraceParent.format(traceHigh, traceLow, parent, sampled));
        if (b3Form != B3.Form.NONE) B3.inject(upstream, b3Form, traceHigh, traceLow, parent, tryOpen ? spanId : parentSpanId, sampled);
        if (traceState.isEmpty()) upstream.remove("tracestate");
        else upstream.set("tracestate", traceState);
    }

    /** The try's answer (a response head, or one the retry policy retries). */
    public void tryStatus(int status) {
        tryStatus = status;
    }

    /** The try is over; {@code flag}: why it failed (UF, UR, UT), or null when it was answered. */
    public void tryEnded(String flag) {
        if (!tryOpen) return;
        tryOpen = false;
        if (!recording) return;
        List<Attribute> a = new ArrayList<>(12);
        a.add(new Attribute("component", "proxy"));
        a.add(new Attribute("upstream_cluster", tryCluster));
        a.add(new Attribute("upstream_cluster.name", tryCluster));
        a.add(new Attribute("upstream_address", tryEndpoint));
        a.add(new Attribute("peer.address", tryEndpoint));
        a.add(new Attribute("http.method", tryMethod));
        a.add(new Attribute("http.url", tryUrl));
        a.add(new Attribute("retry.attempt", (long) tryAttempt));
        if (tryStatus != 0) a.add(new Attribute("http.status_code", (long) tryStatus));
        if (flag != null) a.add(new Attribute("response_flags", flag));
        boolean error = flag != null || tryStatus == 0 || tryStatus >= 500;
        if (error) a.add(new Attribute("error", true));
        if (tries == null) tries = new ArrayList<>(2);
        tries.add(new FinishedSpan("router " + tryCluster + " egress", FinishedSpan.Kind.CLIENT, traceHigh, traceLow, trySpanId,
                spanId, false, traceState, EPOCH_OFFSET_NANOS + tryStartNanos, EPOCH_OFFSET_NANOS + System.nanoTime(), error,
                a));
    }

    // ---- the end ----

    /** The request is over: its spans go to the sink when sampled, or when it failed and errors are always sampled. */
    public void finish(HttpStream stream, StreamSummary s, TracingStats stats) {
        if (tryOpen) tryEnded(s.responseFlags().equals("-") ? null : s.responseFlags());
        boolean error = s.reset() || s.status() == 0 || s.status() >= 500;
        if (!sampled && !(error && tracing.sampleErrors)) return;
        if (!sampled) stats.errorSampled.inc();
        if (tries != null) for (FinishedSpan t : tries) tracing.sink.offer(t);
        tracing.sink.offer(serverSpan(stream, s, error));
    }

    private FinishedSpan serverSpan(HttpStream stream, StreamSummary s, boolean error) {
        HttpRequestHead r = s.request();
        List<Attribute> a = new ArrayList<>(20 + (attributes == null ? 0 : attributes.size()));
        a.add(new Attribute("component", "proxy"));
        a.add(new Attribute("listener", stream.listenerName()));
        if (s.requestId() != null) a.add(new Attribute("guid:x-request-id", s.requestId()));
        if (clientTraceId != null) a.add(new Attribute("guid:x-client-trace-id", clientTraceId));
        if (r != null) {
            a.add(new Attribute("http.method", r.method()));
            a.add(new Attribute("http.url", stream.scheme() + "://" + r.authority() + r.uri()));
            a.add(new Attribute("http.protocol", r.protocol()));
            String ua = r.headers().get("user-agent");
            if (ua != null) a.add(new Attribute("user_agent", ua));
        }
        if (stream.downstreamRemoteAddress() != null) a.add(new Attribute("peer.address", address(stream.downstreamRemoteAddress())));
        a.add(new Attribute("request_size", s.requestBodyBytes()));
        a.add(new Attribute("response_size", s.responseBodyBytes()));
        a.add(new Attribute("response_flags", s.responseFlags()));
        if (s.status() != 0) a.add(new Attribute("http.status_code", (long) s.status()));
        if (!stream.routeName().isEmpty()) a.add(new Attribute("route_name", stream.routeName()));
        if (!s.cluster().isEmpty()) {
            a.add(new Attribute("upstream_cluster", s.cluster()));
            a.add(new Attribute("upstream_cluster.name", s.cluster()));
        }
        if (s.upstreamAddress() != null) a.add(new Attribute("upstream_address", address(s.upstreamAddress())));
        if (error) a.add(new Attribute("error", true));
        if (attributes != null) a.addAll(attributes);
        String name = (r == null ? "HTTP" : r.method()) + (stream.routeName().isEmpty() ? "" : " " + stream.routeName());
        return new FinishedSpan(name, FinishedSpan.Kind.SERVER, traceHigh, traceLow, spanId, parentSpanId, parentSpanId != 0, traceState,
                EPOCH_OFFSET_NANOS + startNanos, EPOCH_OFFSET_NANOS + startNanos + s.durationNanos(), error, a);
    }

    private static String address(InetSocketAddress a) {
        String ip = a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
        return (ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip) + ":" + a.getPort();
    }
}
