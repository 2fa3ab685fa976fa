package yastack.server.admin;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import yastack.api.SocketFlavors;
import yastack.api.config.Listener;
import yastack.kernel.dataplane.Dataplane;
import yastack.kernel.dataplane.DataplaneReport;
import yastack.kernel.stats.StatsStore;
import yastack.proxy.ProxyServer;
import yastack.proxy.cluster.ClusterRuntime;
import yastack.proxy.cluster.Endpoint;

/**
 * The admin API on a host socket (loopback by default), served by its own Vert.x event
 * loop so operators can always look, however busy the workers are.
 */
public final class AdminServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("yastack");

    private final ProxyServer proxy;
    private final StatsStore stats;
    private final BooleanSupplier ready;
    private final Runnable reload;
    private final Vertx vertx;
    private final DataplaneReport dataplane;
    private final Lifecycle lifecycle;
    /** The xDS client's part of /config_dump (JSON), or null without a control plane. */
    private final Supplier<String> xdsDump;
    private HttpServer server;
    private final long startedNanos = System.nanoTime();

    /** What the admin API may do to the server's life: drain it, fail its health check, describe it. */
    public interface Lifecycle {
        /** Starts (or joins) a drain; completes when it is over. */
        CompletableFuture<Void> drain(boolean graceful);

        void failHealthCheck(boolean failed);

        Map<String, Object> serverInfo();
    }

    public AdminServer(ProxyServer proxy, BooleanSupplier ready, Runnable reload) {
        this(proxy, ready, reload, null, null);
    }

    /**
     * With the userspace data plane's endpoints ({@code /workers}, {@code /stack}) and the
     * lifecycle ones ({@code /drain_listeners}, {@code /healthcheck/fail|ok}, {@code /server_info});
     * {@code dataplane} and {@code lifecycle} may be null.
     */
    public AdminServer(ProxyServer proxy, BooleanSupplier ready, Runnable reload, Dataplane dataplane, Lifecycle lifecycle) {
        this(proxy, ready, reload, dataplane, lifecycle, null);
    }

    /** With the xDS client's part of {@code /config_dump} too (JSON supplier; may be null). */
    public AdminServer(ProxyServer proxy, BooleanSupplier ready, Runnable reload, Dataplane dataplane, Lifecycle lifecycle,
                       Supplier<String> xdsDump) {
        this.lifecycle = lifecycle;
        this.xdsDump = xdsDump;
        this.dataplane = dataplane == null ? null : new DataplaneReport(dataplane, proxy.stats());
        this.proxy = proxy;
        this.stats = proxy.stats();
        this.ready = ready;
        this.reload = reload;
        this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1)
                .setInternalBlockingPoolSize(1).setBlockedThreadCheckInterval(10).setBlockedThreadCheckIntervalUnit(TimeUnit.SECONDS));
    }

    /** Listens on {@code address:port}; returns the bound port; throws with a clear message on failure. */
    public int start(String address, int port) {
        try {
            server = vertx.createHttpServer().requestHandler(this::handle)
                    .listen(port, address).await(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("admin: cannot listen on " + address + ":" + port + ": " + e.getMessage(), e);
        }
        LOG.log(System.Logger.Level.INFO, "admin: http on " + address + ":" + server.actualPort() + " flavor host");
        return server.actualPort();
    }

    private void handle(HttpServerRequest req) {
        String path = req.path();
        try {
            switch (path) {
                case "/ready" -> reply(req, ready.getAsBoolean() ? 200 : 503, "text/plain",
                        ready.getAsBoolean() ? "LIVE\n" : "NOT READY\n");
                case "/stats" -> stats(req);
                case "/stats/prometheus" -> reply(req, 200, "text/plain; version=0.0.4; charset=utf-8", PrometheusFormat.render(stats));
                case "/clusters" -> reply(req, 200, "application/json", clusters().encodePrettily() + "\n");
                case "/listeners" -> reply(req, 200, "application/json", listeners().encodePrettily() + "\n");
                case "/overload" -> reply(req, 200, "application/json", new JsonObject(proxy.overload().report()).encodePrettily() + "\n");
                case "/config_dump" -> vertx.executeBlocking(this::configDump).onComplete(r -> reply(req, r.succeeded() ? 200 : 500,
                        "application/json", r.succeeded() ? r.result() + "\n" : r.cause().getMessage() + "\n"));
                case "/reload" -> {
                    if (!"POST".equals(req.method().name())) {
                        reply(req, 405, "text/plain", "use POST\n");
                    } else {
                        vertx.executeBlocking(() -> {
                            reload.run();
                            return null;
                        }).onComplete(r -> reply(req, r.succeeded() ? 200 : 400, "text/plain",
                                r.succeeded() ? "reloaded\n" : r.cause().getMessage() + "\n"));
                    }
                }
                case "/drain_listeners" -> lifecycle(req, true, l -> {
                    // Envoy's parameter: present (any value) means graceful.
                    l.drain(req.params().contains("graceful"));
                    return "OK\n";
                });
                case "/healthcheck/fail" -> lifecycle(req, true, l -> {
                    l.failHealthCheck(true);
                    return "OK\n";
                });
                case "/healthcheck/ok" -> lifecycle(req, true, l -> {
                    l.failHealthCheck(false);
                    return "OK\n";
                });
                case "/reopen_logs" -> {
                    if (!"POST".equals(req.method().name())) {
                        reply(req, 405, "text/plain", "use POST\n");
                    } else {
                        proxy.reopenLogs();
                        reply(req, 200, "text/plain", "OK\n");
                    }
                }
                case "/workers" -> withDataplane(req, () -> new JsonArray(dataplane.workers()).encodePrettily());
                case "/stack" -> withDataplane(req, () -> new JsonObject(dataplane.stack()).encodePrettily());
                case "/" -> reply(req, 200, "text/html; charset=utf-8", LivePage.html());
                case "/server_info" -> reply(req, 200, "application/json", serverInfo().encodePrettily() + "\n");
                default -> {
                    Object[] drain = DataplaneReport.parseDrainPath(path);
                    if (drain == null) {
                        reply(req, 404, "text/plain", "no such admin endpoint: " + path + "\n");
                    } else if (!"POST".equals(req.method().name())) {
                        reply(req, 405, "text/plain", "use POST\n");
                    } else {
                        withDataplane(req, () -> new JsonObject(dataplane.drain((Integer) drain[0], (Boolean) drain[1])).encodePrettily());
                    }
                }
            }
        } catch (RuntimeException e) {
            reply(req, 500, "text/plain", "admin error: " + e + "\n");
        }
    }

    /** A lifecycle endpoint: {@code post} ones refuse other methods; 404 when this server has no lifecycle. */
    private void lifecycle(HttpServerRequest req, boolean post, Function<Lifecycle, String> action) {
        if (lifecycle == null) {
            reply(req, 404, "text/plain", "not available here\n");
        } else if (post && !"POST".equals(req.method().name())) {
            reply(req, 405, "text/plain", "use POST\n");
        } else {
            String body = action.apply(lifecycle);
            reply(req, 200, body.startsWith("{") ? "application/json" : "text/plain", body);
        }
    }

    /** Data-plane answers may wait for the workers, so they are computed off the admin event loop. */
    private void withDataplane(HttpServerRequest req, Callable<String> json) {
        if (dataplane == null) {
            reply(req, 404, "text/plain", "no userspace stack: configure stack.interfaces\n");
            return;
        }
        vertx.executeBlocking(json).onComplete(r -> {
            if (r.succeeded()) {
                reply(req, 200, "application/json", r.result() + "\n");
            } else {
                reply(req, r.cause() instanceof IllegalArgumentException ? 404 : 500, "text/plain", r.cause().getMessage() + "\n");
            }
        });
    }

    private void stats(HttpServerRequest req) {
        Pattern filter = null;
        String f = req.getParam("filter");
        if (f != null && !f.isEmpty()) {
            try {
                filter = Pattern.compile(f);
            } catch (PatternSyntaxException e) {
                reply(req, 400, "text/plain", "bad filter: " + e.getDescription() + "\n");
                return;
            }
        }
        if ("json".equals(req.getParam("format"))) {
            JsonObject out = new JsonObject();
            Pattern fl = filter;
            stats.counterValues().forEach((k, v) -> { if (fl == null || fl.matcher(k).find()) out.put(k, v); });
            stats.gaugeValues().forEach((k, v) -> { if (fl == null || fl.matcher(k).find()) out.put(k, v); });
            reply(req, 200, "application/json", out.encodePrettily() + "\n");
            return;
        }
        reply(req, 200, "text/plain", StatsFormat.text(stats, filter));
    }

    private JsonArray clusters() {
        JsonArray out = new JsonArray();
        long now = System.nanoTime();
        for (ClusterRuntime c : proxy.clusters().values()) {
            JsonArray eps = new JsonArray();
            for (Endpoint e : c.endpoints()) {
                JsonObject hostStats = new JsonObject();
                e.stats().values().forEach(hostStats::put);
                JsonObject ep = new JsonObject().put("address", e.connectHost());
                if (!e.hostname().equals(e.connectHost())) ep.put("hostname", e.hostname());
                eps.add(ep.put("port", e.port()).put("weight", e.weight())
                        .put("health", e.health().state(now))
                        .put("consecutive_connect_failures", e.health().consecutiveFailures()).put("stats", hostStats));
            }
            String p = "cluster." + c.name() + ".";
            JsonObject counters = new JsonObject();
            stats.counterValues().forEach((k, v) -> { if (k.startsWith(p)) counters.put(k.substring(p.length()), v); });
            stats.gaugeValues().forEach((k, v) -> { if (k.startsWith(p)) counters.put(k.substring(p.length()), v); });
            out.add(new JsonObject().put("name", c.name()).put("flavor", SocketFlavors.configName(c.flavor()))
                    .put("lb_policy", c.lbPolicy()).put("endpoints", eps).put("stats", counters)
                    .put("circuit_breakers", breakers(c)));
        }
        return out;
    }

    /** Envoy's default-priority thresholds and what is in use against them, across workers. */
    private static JsonObject breakers(ClusterRuntime c) {
        var b = c.breakers().state();
        return new JsonObject()
                .put("max_connections", b.maxConnections()).put("connections", b.connections())
                .put("max_pending_requests", b.maxPendingRequests()).put("pending_requests", b.pendingRequests())
                .put("max_requests", b.maxRequests()).put("requests", b.requests())
                .put("max_retries", b.maxRetries()).put("retries", b.retries());
    }

    /**
     * Envoy's /server_info, in short: what runs, since when, on how many workers; with a
     * lifecycle (the server process), its pid, drain state and open connections too.
     */
    private JsonObject serverInfo() {
        JsonObject info = new JsonObject().put("version", LivePage.version()).put("state", ready.getAsBoolean() ? "LIVE" : "NOT READY")
                .put("uptime_seconds", (System.nanoTime() - startedNanos) / 1_000_000_000L);
        if (lifecycle != null) lifecycle.serverInfo().forEach(info::put);
        return info.put("workers", stats.workerCount()).put("java", Runtime.version().toString());
    }

    private JsonArray listeners() {
        JsonArray out = new JsonArray();
        for (Listener l : proxy.config().getListenersList()) {
            String p = "listener." + l.getName() + ".";
            out.add(new JsonObject().put("name", l.getName())
                    .put("address", l.getAddress().isEmpty() ? "0.0.0.0" : l.getAddress()).put("port", l.getPort())
                    .put("flavor", SocketFlavors.configName(l.getFlavor()))
                    .put("kind", l.hasHttp() ? "http" : "tcp")
                    .put("downstream_cx_active", stats.value(p + "downstream_cx_active"))
                    .put("downstream_cx_total", stats.value(p + "downstream_cx_total")));
        }
        return out;
    }

    /**
     * The running config (the file's, composed with a control plane's resources when there is
     * one); under a control plane also {@code xds}: each type's version and every dynamic
     * resource as received, with its version, last update and state.
     */
    private String configDump() {
        try {
            String running = JsonFormat.printer().preservingProtoFieldNames().print(proxy.config());
            if (xdsDump == null) return running;
            return new JsonObject(running).put("xds", new JsonObject(xdsDump.get())).encodePrettily();
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void reply(HttpServerRequest req, int status, String type, String body) {
        req.response().setStatusCode(status).putHeader("content-type", type).end(body);
    }

    @Override
    public void close() {
        try {
            vertx.close().await(5, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            LOG.log(System.Logger.Level.WARNING, "admin: shutdown timed out");
        }
    }
}
