package yastack.server.admin;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import yastack.api.SocketFlavors;
import yastack.api.config.Bootstrap;
import yastack.api.config.Cluster;
import yastack.api.config.Listener;
import yastack.api.config.TlsCertificate;
import yastack.kernel.dataplane.Dataplane;
import yastack.kernel.dataplane.DataplaneReport;
import yastack.kernel.stats.StatsStore;
import yastack.kernel.util.Logs;
import yastack.proxy.ProxyServer;
import yastack.proxy.cluster.ClusterRuntime;
import yastack.proxy.cluster.Endpoint;
import yastack.proxy.tls.LoadedCertificate;
import yastack.server.admin.AdminHttp.Exchange;

/**
 * The admin API on a host socket (loopback by default), served by its own event loop
 * ({@link AdminHttp}) so operators can always look, however busy the workers are.
 */
public final class AdminServer implements AutoCloseable {
    private static final System.Logger LOG = Logs.get("yastack");

    private final ProxyServer proxy;
    private final StatsStore stats;
    private final BooleanSupplier ready;
    private final Runnable reload;
    private final AdminHttp http = new AdminHttp();
    private final DataplaneReport dataplane;
    private final Lifecycle lifecycle;
    /** The xDS client's part of /config_dump (JSON), or null without a control plane. */
    private final Supplier<String> xdsDump;
    private final long startedNanos = System.nanoTime();

    /** What the admin API may do to the server's life: drain it, fail its health check, describe it. */
    public interface Lifecycle {
        /** Starts (or joins) a drain; completes when it is over. */
        CompletableFuture<Void> drain(boolean graceful);

        void failHealthCheck(boolean failed);

        Map<String, Object> serverInfo();

        /** Ends the process now (Envoy's /quitquitquit): what is open is closed, not drained. */
        void quit();
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
    }

    /** Listens on {@code address:port}; returns the bound port; throws with a clear message on failure. */
    public int start(String address, int port) {
        int bound;
        try {
            bound = http.listen(address, port, this::handle);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("admin: interrupted while binding " + address + ":" + port, e);
        } catch (Exception e) {
            throw new IllegalStateException("admin: cannot listen on " + address + ":" + port + ": " + e.getMessage(), e);
        }
        LOG.log(System.Logger.Level.INFO, "admin: http on " + address + ":" + bound + " flavor host");
        return bound;
    }

    private void handle(Exchange req) {
        String path = req.path();
        try {
            switch (path) {
                case "/ready" -> req.reply(ready.getAsBoolean() ? 200 : 503, "text/plain",
                        ready.getAsBoolean() ? "LIVE\n" : "NOT READY\n");
                case "/stats" -> stats(req);
                case "/stats/prometheus" -> req.reply(200, "text/plain; version=0.0.4; charset=utf-8", PrometheusFormat.render(stats));
                case "/clusters" -> req.reply(200, "application/json", Json.pretty(clusters()) + "\n");
                case "/listeners" -> req.reply(200, "application/json", Json.pretty(listeners()) + "\n");
                case "/overload" -> req.reply(200, "application/json", Json.pretty(proxy.overload().report()) + "\n");
                case "/config_dump" -> req.offLoop(this::configDump, r -> req.reply(r.succeeded() ? 200 : 500,
                        "application/json", r.succeeded() ? r.value() + "\n" : r.failure().getMessage() + "\n"));
                case "/reload" -> {
                    if (!"POST".equals(req.method())) {
                        req.reply(405, "text/plain", "use POST\n");
                    } else {
                        req.offLoop(() -> {
                            reload.run();
                            return null;
                        }, r -> req.reply(r.succeeded() ? 200 : 400, "text/plain",
                                r.succeeded() ? "reloaded\n" : r.failure().getMessage() + "\n"));
                    }
                }
                case "/drain_listeners" -> lifecycle(req, true, l -> {
                    // Envoy's parameter: present (any value) means graceful.
                    l.drain(req.hasParam("graceful"));
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
                    if (!"POST".equals(req.method())) {
                        req.reply(405, "text/plain", "use POST\n");
                    } else {
                        proxy.reopenLogs();
                        req.reply(200, "text/plain", "OK\n");
                    }
                }
                case "/reset_counters" -> {
                    if (!"POST".equals(req.method())) {
                        req.reply(405, "text/plain", "use POST\n");
                    } else {
                        stats.resetCounters();
                        LOG.log(System.Logger.Level.INFO, "admin: counters reset");
                        req.reply(200, "text/plain", "OK\n");
                    }
                }
                case "/workers" -> withDataplane(req, () -> Json.pretty(dataplane.workers()));
                case "/stack" -> withDataplane(req, () -> Json.pretty(dataplane.stack()));
                case "/" -> req.reply(200, "text/html; charset=utf-8", LivePage.html());
                case "/server_info" -> req.reply(200, "application/json", Json.pretty(serverInfo()) + "\n");
                case "/certs" -> req.reply(200, "application/json", Json.pretty(certs()) + "\n");
                case "/memory" -> req.reply(200, "application/json", Json.pretty(ProcessEndpoints.memory()) + "\n");
                case "/help" -> req.reply(200, "text/plain", ProcessEndpoints.help());
                case "/logging" -> logging(req);
                case "/quitquitquit" -> lifecycle(req, true, l -> {
                    LOG.log(System.Logger.Level.INFO, "admin: /quitquitquit, exiting");
                    l.quit();
                    return "OK\n";
                });
                default -> {
                    Object[] drain = DataplaneReport.parseDrainPath(path);
                    if (drain == null) {
                        req.reply(404, "text/plain", "no such admin endpoint: " + path + "\n");
                    } else if (!"POST".equals(req.method())) {
                        req.reply(405, "text/plain", "use POST\n");
                    } else {
                        withDataplane(req, () -> Json.pretty(dataplane.drain((Integer) drain[0], (Boolean) drain[1])));
                    }
                }
            }
        } catch (RuntimeException e) {
            req.reply(500, "text/plain", "admin error: " + e + "\n");
        }
    }

    private void logging(Exchange req) {
        if ("POST".equals(req.method())) {
            String wrong = ProcessEndpoints.set(req.params());
            if (wrong != null) {
                req.reply(400, "text/plain", wrong + "\n");
                return;
            }
            LOG.log(System.Logger.Level.INFO, "admin: log levels set: " + req.params());
        }
        req.reply(200, "application/json", Json.pretty(ProcessEndpoints.levels()) + "\n");
    }

    /** A lifecycle endpoint: {@code post} ones refuse other methods; 404 when this server has no lifecycle. */
    private void lifecycle(Exchange req, boolean post, Function<Lifecycle, String> action) {
        if (lifecycle == null) {
            req.reply(404, "text/plain", "not available here\n");
        } else if (post && !"POST".equals(req.method())) {
            req.reply(405, "text/plain", "use POST\n");
        } else {
            String body = action.apply(lifecycle);
            req.reply(200, body.startsWith("{") ? "application/json" : "text/plain", body);
        }
    }

    /** Data-plane answers may wait for the workers, so they are computed off the admin event loop. */
    private void withDataplane(Exchange req, Callable<String> json) {
        if (dataplane == null) {
            req.reply(404, "text/plain", "no userspace stack: configure stack.interfaces\n");
            return;
        }
        req.offLoop(json, r -> {
            if (r.succeeded()) {
                req.reply(200, "application/json", r.value() + "\n");
            } else {
                req.reply(r.failure() instanceof IllegalArgumentException ? 404 : 500, "text/plain", r.failure().getMessage() + "\n");
            }
        });
    }

    private void stats(Exchange req) {
        Pattern filter = null;
        String f = req.param("filter");
        if (f != null && !f.isEmpty()) {
            try {
                filter = Pattern.compile(f);
            } catch (PatternSyntaxException e) {
                req.reply(400, "text/plain", "bad filter: " + e.getDescription() + "\n");
                return;
            }
        }
        String type = req.param("type");
        if (type != null && !StatsFormat.Query.TYPES.contains(type)) {
            req.reply(400, "text/plain", "bad type: " + type + " (All, Counters, Gauges or Histograms)\n");
            return;
        }
        if ("prometheus".equals(req.param("format"))) { // Envoy's other name for /stats/prometheus
            req.reply(200, "text/plain; version=0.0.4; charset=utf-8", PrometheusFormat.render(stats));
            return;
        }
        StatsFormat.Query q = new StatsFormat.Query(filter, type, req.hasParam("usedonly"));
        if ("json".equals(req.param("format"))) {
            req.reply(200, "application/json", Json.pretty(StatsFormat.values(stats, q)) + "\n");
            return;
        }
        req.reply(200, "text/plain", StatsFormat.text(stats, q));
    }

    private List<Object> clusters() {
        List<Object> out = new ArrayList<>();
        long now = System.nanoTime();
        for (ClusterRuntime c : proxy.clusters().values()) {
            List<Object> eps = new ArrayList<>();
            for (Endpoint e : c.endpoints()) {
                Map<String, Object> ep = new LinkedHashMap<>();
                ep.put("address", e.connectHost());
                if (!e.hostname().equals(e.connectHost())) ep.put("hostname", e.hostname());
                ep.put("port", e.port());
                ep.put("weight", e.weight());
                ep.put("priority", e.priority());
                ep.put("health", e.health().state(now));
                ep.put("consecutive_connect_failures", e.health().consecutiveFailures());
                ep.put("stats", new LinkedHashMap<>(e.stats().values()));
                eps.add(ep);
            }
            String p = "cluster." + c.name() + ".";
            Map<String, Object> counters = new LinkedHashMap<>();
            stats.counterValues().forEach((k, v) -> { if (k.startsWith(p)) counters.put(k.substring(p.length()), v); });
            stats.gaugeValues().forEach((k, v) -> { if (k.startsWith(p)) counters.put(k.substring(p.length()), v); });
            Map<String, Object> cluster = new LinkedHashMap<>();
            cluster.put("name", c.name());
            cluster.put("flavor", SocketFlavors.configName(c.flavor()));
            cluster.put("lb_policy", c.lbPolicy());
            cluster.put("endpoints", eps);
            cluster.put("stats", counters);
            cluster.put("circuit_breakers", breakers(c));
            out.add(cluster);
        }
        return out;
    }

    /** Envoy's default-priority thresholds and what is in use against them, across workers. */
    private static Map<String, Object> breakers(ClusterRuntime c) {
        var b = c.breakers().state();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("max_connections", b.maxConnections());
        out.put("connections", b.connections());
        out.put("max_pending_requests", b.maxPendingRequests());
        out.put("pending_requests", b.pendingRequests());
        out.put("max_requests", b.maxRequests());
        out.put("requests", b.requests());
        out.put("max_retries", b.maxRetries());
        out.put("retries", b.retries());
        return out;
    }

    /**
     * Envoy's /server_info, in short: what runs, since when, on how many workers; with a
     * lifecycle (the server process), its pid, drain state and open connections too.
     */
    private Map<String, Object> serverInfo() {
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("version", Version.current());
        info.put("state", ready.getAsBoolean() ? "LIVE" : "NOT READY");
        info.put("uptime_seconds", (System.nanoTime() - startedNanos) / 1_000_000_000L);
        if (lifecycle != null) info.putAll(lifecycle.serverInfo());
        info.put("workers", stats.workerCount());
        info.put("java", Runtime.version().toString());
        return info;
    }

    private List<Object> listeners() {
        List<Object> out = new ArrayList<>();
        for (Listener l : proxy.config().getListenersList()) {
            String p = "listener." + l.getName() + ".";
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("name", l.getName());
            o.put("address", l.getAddress().isEmpty() ? "0.0.0.0" : l.getAddress());
            o.put("port", l.getPort());
            o.put("flavor", SocketFlavors.configName(l.getFlavor()));
            o.put("kind", l.hasHttp() ? "http" : "tcp");
            o.put("downstream_cx_active", stats.value(p + "downstream_cx_active"));
            o.put("downstream_cx_total", stats.value(p + "downstream_cx_total"));
            out.add(o);
        }
        return out;
    }

    /**
     * The running config (the file's, composed with a control plane's resources when there is
     * one); under a control plane also {@code xds}: each type's version and every dynamic
     * resource as received, with its version, last update and state.
     */
    /** Envoy's {@code /certs}: every certificate loaded, with its serial, names and days until it expires. */
    private Map<String, Object> certs() {
        Instant now = Instant.now();
        List<Object> all = new ArrayList<>();
        for (LoadedCertificate c : proxy.certificates()) all.add(c.describe(now));
        return Map.of("certificates", all);
    }

    private String configDump() {
        try {
            String running = JsonFormat.printer().preservingProtoFieldNames().print(withoutKeys(proxy.config()));
            if (xdsDump == null) return running;
            return withMember(running, "xds", xdsDump.get());
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The config with every inline private key (an SDS secret's, or a key_pem) shown as "[redacted]", as Envoy does. */
    static Bootstrap withoutKeys(Bootstrap config) {
        Bootstrap.Builder b = config.toBuilder();
        for (Listener.Builder l : b.getListenersBuilderList()) {
            if (!l.hasTls()) continue;
            for (TlsCertificate.Builder c : l.getTlsBuilder().getCertificatesBuilderList()) {
                if (!c.getKeyPem().isEmpty()) c.setKeyPem("[redacted]");
            }
        }
        for (Cluster.Builder c : b.getClustersBuilderList()) {
            if (c.hasTls() && !c.getTls().getKeyPem().isEmpty()) c.getTlsBuilder().setKeyPem("[redacted]");
        }
        return b.build();
    }

    /** {@code object} (a JSON object's text) with one more member whose value is the JSON text {@code value}. */
    static String withMember(String object, String name, String value) {
        String body = object.strip();
        if (!body.endsWith("}")) throw new IllegalArgumentException("not a JSON object: " + body);
        String head = body.substring(0, body.length() - 1).stripTrailing();
        String sep = head.endsWith("{") ? "" : ",";
        return head + sep + "\n  \"" + name + "\": " + value.strip() + "\n}";
    }

    @Override
    public void close() {
        http.close();
    }
}
