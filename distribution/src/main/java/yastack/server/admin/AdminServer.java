package yastack.server.admin;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
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
    private final Supplier<String> xdsDump;
    private HttpServer server;

    public AdminServer(ProxyServer proxy, BooleanSupplier ready, Runnable reload) {
        this(proxy, ready, reload, null, null);
    }

    /**
     * With the userspace data plane's endpoints ({@code /workers}, {@code /stack}) and the xDS
     * client's part of {@code /config_dump} (JSON); either may be null.
     */
    public AdminServer(ProxyServer proxy, BooleanSupplier ready, Runnable reload, Dataplane dataplane, Supplier<String> xdsDump) {
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
                case "/stats/prometheus" -> reply(req, 200, "text/plain; version=0.0.4; charset=utf-8", StatsFormat.prometheus(stats));
                case "/clusters" -> reply(req, 200, "application/json", clusters().encodePrettily() + "\n");
                case "/listeners" -> reply(req, 200, "application/json", listeners().encodePrettily() + "\n");
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
                case "/workers" -> withDataplane(req, () -> new JsonArray(dataplane.workers()).encodePrettily());
                case "/stack" -> withDataplane(req, () -> new JsonObject(dataplane.stack()).encodePrettily());
                case "/" -> reply(req, 200, "text/plain",
                        "yastack admin: /ready /stats /stats/prometheus /clusters /listeners /config_dump POST /reload /workers /stack POST /workers/N/drain|undrain\n");
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
                eps.add(new JsonObject().put("address", e.host()).put("port", e.port()).put("weight", e.weight())
                        .put("health", e.health().state(now))
                        .put("consecutive_connect_failures", e.health().consecutiveFailures()));
            }
            String p = "cluster." + c.name() + ".";
            JsonObject counters = new JsonObject();
            stats.counterValues().forEach((k, v) -> { if (k.startsWith(p)) counters.put(k.substring(p.length()), v); });
            stats.gaugeValues().forEach((k, v) -> { if (k.startsWith(p)) counters.put(k.substring(p.length()), v); });
            out.add(new JsonObject().put("name", c.name()).put("flavor", SocketFlavors.configName(c.flavor()))
                    .put("lb_policy", c.lbPolicy()).put("endpoints", eps).put("stats", counters));
        }
        return out;
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
