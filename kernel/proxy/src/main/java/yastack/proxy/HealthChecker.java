package yastack.proxy;

import com.google.protobuf.util.Durations;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import yastack.api.config.HealthCheck;
import yastack.kernel.stats.Counter;
import yastack.kernel.util.Logs;
import yastack.proxy.cluster.ClusterRuntime;
import yastack.proxy.cluster.Endpoint;
import yastack.proxy.tls.ClientTls;

/**
 * Active health checks of one cluster's endpoints. They run on one worker's loop through
 * that worker's connect path, so a userspace cluster is checked over the userspace stack
 * and a TLS cluster over TLS; the verdicts go to the endpoints' shared health, which every
 * worker reads when it picks. As in Envoy, an unexpected HTTP status fails an endpoint at
 * once, no answer (refused, reset, timeout) only after {@code unhealthy_threshold} in a row.
 */
final class HealthChecker {
    private static final System.Logger LOG = Logs.get("yastack");

    private final ClusterRuntime runtime;
    private final ClientTls tls;
    private final ProxyWorker worker;
    private final String path;
    private final String host;
    private final long intervalMillis;
    private final long timeoutMillis;
    private final int unhealthyThreshold;
    private final int healthyThreshold;
    private final Set<Integer> expected;
    private final int[] passes;
    private final int[] failures;
    private final boolean[] passing;
    private final boolean[] checked;
    private final List<ScheduledFuture<?>> timers = new ArrayList<>();
    private final Counter attempt, success, failure, networkFailure, healthy;
    private volatile boolean stopped;

    HealthChecker(ClusterRuntime runtime, ClientTls tls, ProxyWorker worker) {
        HealthCheck h = runtime.healthCheck();
        this.runtime = runtime;
        this.tls = tls;
        this.worker = worker;
        this.path = h.getPath();
        this.host = h.getHost().isEmpty() ? runtime.name() : h.getHost();
        this.intervalMillis = h.hasInterval() ? Durations.toMillis(h.getInterval()) : 5_000;
        this.timeoutMillis = h.hasTimeout() ? Durations.toMillis(h.getTimeout()) : 1_000;
        this.unhealthyThreshold = h.getUnhealthyThreshold() == 0 ? 3 : h.getUnhealthyThreshold();
        this.healthyThreshold = h.getHealthyThreshold() == 0 ? 2 : h.getHealthyThreshold();
        this.expected = Set.copyOf(h.getExpectedStatusesList());
        int n = runtime.endpoints().size();
        this.passes = new int[n];
        this.failures = new int[n];
        this.passing = new boolean[n];
        this.checked = new boolean[n];
        String p = "cluster." + runtime.name() + ".health_check.";
        this.attempt = worker.stats.counter(p + "attempt");
        this.success = worker.stats.counter(p + "success");
        this.failure = worker.stats.counter(p + "failure");
        this.networkFailure = worker.stats.counter(p + "network_failure");
        this.healthy = worker.stats.gauge(p + "healthy");
    }

    ClusterRuntime runtime() {
        return runtime;
    }

    /** Checks every endpoint now, then every interval. */
    void start() {
        worker.loop.execute(() -> {
            for (int i = 0; i < passing.length; i++) check(i);
        });
    }

    /** Stops checking (a reload replaced the cluster, or the proxy is closing). */
    void stop() {
        stopped = true;
        worker.loop.execute(() -> {
            timers.forEach(t -> t.cancel(false));
            timers.clear();
            for (int i = 0; i < passing.length; i++) {
                if (passing[i]) healthy.dec();
                passing[i] = false;
            }
        });
    }

    private void check(int endpoint) {
        if (stopped) return;
        attempt.inc();
        new Probe(endpoint).run();
    }

    private boolean expected(int status) {
        return expected.isEmpty() ? status >= 200 && status < 400 : expected.contains(status);
    }

    /** {@code status}: the HTTP status, 0 for a TCP check that connected, -1 for no answer. */
    private void verdict(int endpoint, int status) {
        if (stopped) return;
        Endpoint ep = runtime.endpoints().get(endpoint);
        if (status == 0 || (status > 0 && expected(status))) {
            success.inc();
            failures[endpoint] = 0;
            passes[endpoint]++;
            // Endpoints start failed: the first check needs one pass, a later recovery healthy_threshold.
            if (!passing[endpoint] && (!checked[endpoint] || passes[endpoint] >= healthyThreshold)) {
                if (checked[endpoint]) LOG.log(System.Logger.Level.INFO, "cluster " + runtime.name() + ": " + ep + " passes its health check again");
                mark(endpoint, true);
            }
        } else {
            failure.inc();
            if (status < 0) networkFailure.inc();
            passes[endpoint] = 0;
            failures[endpoint]++;
            if (passing[endpoint] && (status > 0 || failures[endpoint] >= unhealthyThreshold)) {
                LOG.log(System.Logger.Level.WARNING, "cluster " + runtime.name() + ": " + ep + " failed its health check ("
                        + (status > 0 ? "status " + status : "no answer") + ")");
                mark(endpoint, false);
            }
        }
        checked[endpoint] = true;
        timers.removeIf(Future::isDone);
        timers.add(worker.loop.schedule(() -> check(endpoint), intervalMillis, TimeUnit.MILLISECONDS));
    }

    private void mark(int endpoint, boolean pass) {
        runtime.endpoints().get(endpoint).health().failedActiveCheck(!pass);
        passing[endpoint] = pass;
        if (pass) healthy.inc();
        else healthy.dec();
    }

    /** One check of one endpoint: connect (and TLS), then GET the path unless it is a TCP check. */
    private final class Probe extends ChannelInboundHandlerAdapter {
        private final int endpoint;
        private Channel channel;
        private ScheduledFuture<?> timer;
        private boolean done;

        Probe(int endpoint) {
            this.endpoint = endpoint;
        }

        void run() {
            ChannelFuture f;
            try {
                f = worker.cluster(runtime, tls).probeEndpoint(endpoint, p -> {
                    // A backend that expects PROXY headers gets one for checks too (HAProxy's check-send-proxy).
                    if (runtime.proxyProtocolVersion() > 0) ProxyProtocolReader.sendHeader(p, runtime.proxyProtocolVersion(), null, null);
                    if (path.isEmpty()) return;
                    p.addLast("codec", new HttpClientCodec());
                    p.addLast("probe", this);
                });
            } catch (RuntimeException e) {
                complete(-1);
                return;
            }
            channel = f.channel();
            timer = worker.loop.schedule(() -> complete(-1), timeoutMillis, TimeUnit.MILLISECONDS);
            f.addListener((ChannelFuture c) -> {
                if (!c.isSuccess()) {
                    complete(-1);
                    return;
                }
                SslHandler ssl = c.channel().pipeline().get(SslHandler.class);
                // After channel-active, which sends a PROXY header if the cluster wants one.
                if (ssl == null) UpstreamConnector.afterActive(c.channel(), () -> connected(c.channel()));
                else ssl.handshakeFuture().addListener(hs -> {
                    if (hs.isSuccess()) connected(c.channel());
                    else complete(-1);
                });
            });
        }

        private void connected(Channel ch) {
            if (path.isEmpty()) {
                complete(0);
                return;
            }
            FullHttpRequest rq = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path, Unpooled.EMPTY_BUFFER);
            rq.headers().set(HttpHeaderNames.HOST, host).set(HttpHeaderNames.USER_AGENT, "yastack-health-check")
                    .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ch.writeAndFlush(rq).addListener(w -> {
                if (!w.isSuccess()) complete(-1);
            });
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof HttpResponse r && r.status().code() >= 200) complete(r.status().code());
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            complete(-1);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            complete(-1);
        }

        private void complete(int status) {
            if (done) return;
            done = true;
            if (timer != null) timer.cancel(false);
            if (channel != null) channel.close();
            verdict(endpoint, status);
        }
    }
}
