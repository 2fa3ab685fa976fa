package yastack.proxy;

import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import yastack.api.RouteDecision;
import yastack.kernel.stats.Counter;

/**
 * The copies of one request its route mirrors to other clusters (Envoy's
 * request_mirror_policies, nginx's {@code mirror}): the upstream request's method, target and
 * fields, with {@code -shadow} appended to the host as Envoy does, and its body copied on its
 * way up, sent through the proxy's cluster calls once the request is complete, the answers
 * dropped. A body past {@link #BODY_LIMIT} is not mirrored (a shadow must not make the proxy
 * hold big bodies). Worker thread only: the calls' failures are counted back on it.
 */
final class RequestMirror {
    static final int BODY_LIMIT = 64 * 1024;
    /** The route's timeout when it has none: a shadow that hangs must not hold the client JVM's resources forever. */
    private static final Duration NO_TIMEOUT_CAP = Duration.ofSeconds(60);

    private record Copy(String cluster, Counter sent, Counter failed, Counter tooLarge) {}

    private final HttpClusterCalls calls;
    private final Executor loop;
    private final List<Copy> copies;
    private final String method, target;
    private final List<Map.Entry<String, String>> fields;
    private final Duration timeout;
    private ByteArrayOutputStream body;
    private boolean abandoned;

    private RequestMirror(HttpClusterCalls calls, Executor loop, List<Copy> copies, HttpRequest upstream, Duration timeout) {
        this.calls = calls;
        this.loop = loop;
        this.copies = copies;
        this.method = upstream.method().name();
        this.target = upstream.uri();
        this.timeout = timeout;
        List<Map.Entry<String, String>> f = new ArrayList<>();
        for (Map.Entry<String, String> h : upstream.headers()) {
            boolean host = h.getKey().equalsIgnoreCase("host");
            f.add(Map.entry(h.getKey(), host ? shadowHost(h.getValue()) : h.getValue()));
        }
        this.fields = f;
    }

    /** {@code api.example.com:8080} becomes {@code api.example.com-shadow:8080}, as Envoy names it. */
    static String shadowHost(String authority) {
        int colon = authority.lastIndexOf(':');
        boolean port = colon > 0 && authority.indexOf(']') < colon && authority.substring(colon + 1).chars().allMatch(Character::isDigit);
        return port ? authority.substring(0, colon) + "-shadow" + authority.substring(colon) : authority + "-shadow";
    }

    /**
     * The mirror of a request routed by {@code f}, or null when none of its mirrors rolls this
     * request in; sent at once when the request has no body.
     */
    static RequestMirror of(RouteDecision.ToCluster f, HttpRequest upstream, boolean hasBody, ProxyWorker worker) {
        List<Copy> copies = null;
        for (RouteDecision.Mirror m : f.mirrors()) {
            if (m.percent() < 100 && worker.random.nextDouble() * 100 >= m.percent()) continue;
            if (copies == null) copies = new ArrayList<>(f.mirrors().size());
            String p = "cluster." + m.cluster() + ".";
            copies.add(new Copy(m.cluster(), worker.stats.counter(p + "upstream_rq_mirrored"),
                    worker.stats.counter(p + "upstream_rq_mirror_failed"), worker.stats.counter(p + "upstream_rq_mirror_body_too_large")));
        }
        if (copies == null) return null;
        long t = f.timeoutMillis();
        RequestMirror mirror = new RequestMirror(worker.calls, worker.loop, copies, upstream, t == 0 ? NO_TIMEOUT_CAP : Duration.ofMillis(t));
        if (!hasBody) mirror.send();
        return mirror;
    }

    /** A piece of the body on its way up (before the leg writes and releases it). */
    void body(HttpContent content, boolean last) {
        if (abandoned) return;
        int n = content.content().readableBytes();
        if (n > 0) {
            if (body == null) body = new ByteArrayOutputStream(Math.min(n, BODY_LIMIT));
            if (body.size() + n > BODY_LIMIT) {
                abandoned = true;
                body = null;
                for (Copy c : copies) c.tooLarge().inc();
                return;
            }
            try {
                content.content().getBytes(content.content().readerIndex(), body, n);
            } catch (IOException e) {
                throw new UncheckedIOException(e); // a ByteArrayOutputStream never throws
            }
        }
        if (last) send();
    }

    private void send() {
        abandoned = true; // sent once
        byte[] bytes = body == null ? new byte[0] : body.toByteArray();
        body = null;
        for (Copy c : copies) {
            c.sent().inc();
            calls.send(c.cluster(), method, target, fields, bytes, timeout).whenCompleteAsync((status, failure) -> {
                if (failure != null) c.failed().inc();
            }, loop);
        }
    }
}
