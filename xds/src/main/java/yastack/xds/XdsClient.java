package yastack.xds;

import com.google.protobuf.util.Durations;
import io.envoyproxy.envoy.config.core.v3.Node;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import yastack.api.config.ApiType;
import yastack.api.config.Bootstrap;
import yastack.api.config.ConfigSource;
import yastack.config.ConfigLoader;
import yastack.config.LoadedConfig;
import yastack.kernel.util.Logs;
import yastack.proxy.ProxyServer;
import yastack.xds.translate.InlineScripts;
import yastack.xds.translate.ListenerTranslator;
import yastack.xds.translate.Rejection;

/**
 * The xDS client: one ADS stream (state of the world or delta, see {@link AdsProtocol}) to
 * the control plane named in {@code dynamic_resources}, subscribed to every listener and cluster and to the routes and
 * endpoints they name. Each response is translated and composed with the file's static part
 * into one config, checked like a file, and applied with the proxy's snapshot swap, the
 * same as a file reload; then ACKed. A response that cannot be applied as a whole is NACKed
 * naming the resource and field, and nothing of it is applied. When the stream breaks, the
 * last good config keeps serving while the client reconnects with backoff.
 *
 * <p>Everything runs on one thread of its own ("xds"), never on a worker.
 */
public final class XdsClient implements AutoCloseable {
    private static final System.Logger LOG = Logs.get("yastack.xds");
    private static final Duration DEFAULT_FETCH_TIMEOUT = Duration.ofSeconds(15);
    private static final long INITIAL_BACKOFF_MILLIS = 500;
    private static final long MAX_BACKOFF_MILLIS = 30_000;

    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "xds");
        t.setDaemon(true);
        return t;
    });
    private final ProxyServer proxy;
    private final Path baseDir;
    private final Node node;
    private final Subscriptions subscriptions;
    private final Composer composer;
    private final XdsStats stats = new XdsStats();
    private final AdsProtocol<?, ?> protocol;
    private final InlineScripts scripts = InlineScripts.temporary();
    private final UpdateDecoder decoder = new UpdateDecoder(new ListenerTranslator(scripts));
    private final Duration initialFetchTimeout;
    private Bootstrap file;
    private Composer.Result current;
    private int streamId;
    private boolean receivedOnStream;
    private long backoffMillis = INITIAL_BACKOFF_MILLIS;
    private ScheduledFuture<?> deadline;
    private Instant connectedSince;
    private volatile boolean initialized;
    private volatile boolean closed;

    private XdsClient(LoadedConfig loaded, ProxyServer proxy) {
        this.proxy = proxy;
        this.baseDir = loaded.baseDir();
        this.file = loaded.bootstrap();
        var d = file.getDynamicResources();
        Duration lds = timeout(d.hasLdsConfig() ? d.getLdsConfig() : null);
        Duration cds = timeout(d.hasCdsConfig() ? d.getCdsConfig() : null);
        this.initialFetchTimeout = lds.compareTo(cds) > 0 ? lds : cds;
        this.composer = new Composer(lds, cds);
        this.node = NodeIdentity.of(file.getNode());
        boolean nodeOnFirstMessageOnly = d.getAdsConfig().getSetNodeOnFirstMessageOnly();
        String adsCluster = d.getAdsConfig().getGrpcServices(0).getEnvoyGrpc().getClusterName();
        var cluster = file.getClustersList().stream().filter(c -> c.getName().equals(adsCluster)).findFirst().orElseThrow();
        this.protocol = d.getAdsConfig().getApiType() == ApiType.DELTA_GRPC
                ? new DeltaProtocol(node, nodeOnFirstMessageOnly, cluster, baseDir, executor)
                : new SotwProtocol(node, nodeOnFirstMessageOnly, cluster, baseDir, executor);
        this.subscriptions = new Subscriptions(d, protocol);
        this.current = new Composer.Result(file, Map.of(), Map.of(), Set.of(), Set.of(), null);
        stats.set("control_plane.connected_state", 0);
    }

    /**
     * Starts following the control plane that {@code loaded}'s {@code dynamic_resources}
     * names; its resources are applied to {@code proxy} as they arrive.
     */
    public static XdsClient start(LoadedConfig loaded, ProxyServer proxy) {
        XdsClient c = new XdsClient(loaded, proxy);
        c.executor.execute(c::connect);
        if (!c.initialFetchTimeout.isZero()) {
            c.executor.schedule(c::initialFetchTimedOut, c.initialFetchTimeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        return c;
    }

    private static Duration timeout(ConfigSource s) {
        if (s == null) return Duration.ZERO;
        return s.hasInitialFetchTimeout() ? Duration.ofMillis(Durations.toMillis(s.getInitialFetchTimeout())) : DEFAULT_FETCH_TIMEOUT;
    }

    /** Whether the first fetch is done (every subscription answered and warm), or timed out. */
    public boolean initialized() {
        return initialized;
    }

    /** The client's stats by name (Envoy's names), for the admin API. */
    public Map<String, Long> stats() {
        return stats.snapshot();
    }

    /** The static and dynamic resources with their versions, as JSON, for {@code /config_dump}. */
    public String configDumpJson() {
        return call(() -> ConfigDump.json(file, subscriptions.byType(), current, protocol.nextTarget(), connectedSince));
    }

    /**
     * The config file changed: composes its new static part with the dynamic resources and
     * applies it; throws {@link IllegalStateException} (nothing applied) when that fails.
     */
    public void replaceStatic(Bootstrap next) {
        call(() -> {
            Bootstrap old = file;
            file = next.toBuilder().setDynamicResources(old.getDynamicResources()).setNode(old.getNode()).build();
            try {
                checkStaticNames(XdsType.LISTENER, subscriptions.get(XdsType.LISTENER));
                checkStaticNames(XdsType.CLUSTER, subscriptions.get(XdsType.CLUSTER));
                apply(compose(null, null));
            } catch (Rejection e) {
                file = old;
                throw new IllegalStateException(e.getMessage());
            }
            if (!next.getDynamicResources().equals(old.getDynamicResources()) || !next.getNode().equals(old.getNode())) {
                LOG.log(System.Logger.Level.WARNING, "xds: dynamic_resources and node changes need a restart; the running ones stay");
            }
            return null;
        });
    }

    private <T> T call(Callable<T> task) {
        try {
            return executor.submit(task).get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        } catch (TimeoutException e) {
            throw new IllegalStateException("the xDS client did not answer in 60 s");
        }
    }

    // ---- the stream ----

    private void connect() {
        if (closed) return;
        String target = protocol.nextTarget();
        try {
            protocol.open(this::onUpdate, cause -> onClosed(target, cause));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "xds: cannot open a stream to " + target + ": " + e.getMessage());
            reconnectLater();
            return;
        }
        streamId++;
        receivedOnStream = false;
        subscriptions.streamOpened();
        LOG.log(System.Logger.Level.INFO, "xds: ADS stream (" + (protocol instanceof DeltaProtocol ? "delta" : "state of the world")
                + ") to " + target + " opened (node " + node.getId() + ")");
    }

    private void onClosed(String target, Throwable cause) {
        stats.set("control_plane.connected_state", 0);
        connectedSince = null;
        for (TypeState s : subscriptions.all()) if (s.type.statsPrefix != null) stats.inc(s.type.statsPrefix + ".update_failure");
        if (closed) return;
        long delay = reconnectLater();
        LOG.log(System.Logger.Level.WARNING, "xds: ADS stream to " + target + " ended ("
                + (cause == null ? "closed by the server" : cause.getMessage()) + "); the last good config keeps serving; "
                + "reconnecting in " + delay + " ms");
    }

    /** Schedules the next connection attempt with jittered exponential backoff; returns the delay. */
    private long reconnectLater() {
        if (receivedOnStream) backoffMillis = INITIAL_BACKOFF_MILLIS;
        long delay = backoffMillis / 2 + ThreadLocalRandom.current().nextLong(backoffMillis / 2 + 1);
        backoffMillis = Math.min(MAX_BACKOFF_MILLIS, backoffMillis * 2);
        receivedOnStream = false;
        executor.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
        return delay;
    }

    // ---- responses ----

    private void onUpdate(Update update) {
        if (!receivedOnStream) {
            receivedOnStream = true;
            backoffMillis = INITIAL_BACKOFF_MILLIS;
            connectedSince = Instant.now();
            stats.set("control_plane.connected_state", 1);
        }
        XdsType type = update.type();
        TypeState s = subscriptions.get(type);
        if (s == null) {
            LOG.log(System.Logger.Level.WARNING, "xds: ignoring a response of type " + type.typeUrl + ", not subscribed");
            return;
        }
        s.nonce = update.nonce();
        Set<String> names = XdsStats.namesIn(update);
        count(type, names, "update_attempt");
        Map<String, Accepted> candidate;
        try {
            candidate = decoder.decode(s, update, file);
            apply(compose(type, candidate));
        } catch (Rejection e) {
            count(type, names, "update_rejected");
            nack(s, update, e.getMessage());
            return;
        }
        s.resources = candidate;
        s.version = update.version();
        s.fetched = true;
        s.rejectedVersion = null;
        s.rejections = 0;
        s.lastError = "";
        count(type, names, "update_success");
        if (candidate.isEmpty() && type.statsPrefix == null) count(type, names, "update_empty");
        protocol.ack(s);
        subscriptions.followReferences();
        checkInitialized();
    }

    private void checkStaticNames(XdsType type, TypeState s) throws Rejection {
        if (s == null) return;
        for (String name : s.resources.keySet()) {
            if (UpdateDecoder.staticNames(file, type).contains(name)) {
                throw new Rejection("", type.label(name) + " comes from the control plane; names are unique across static and dynamic resources");
            }
        }
    }

    private void nack(TypeState s, Update u, String detail) {
        s.lastError = detail;
        s.rejections = u.version().equals(s.rejectedVersion) ? s.rejections + 1 : 1;
        s.rejectedVersion = u.version();
        LOG.log(System.Logger.Level.WARNING, "xds: NACK " + s.type.messageClass.getSimpleName() + " version "
                + u.version() + " (nonce " + u.nonce() + "), keeping version '" + s.version + "': " + detail);
        int sid = streamId;
        String nonce = u.nonce();
        Runnable send = () -> {
            if (sid == streamId && nonce.equals(s.nonce)) protocol.nack(s, detail);
        };
        // A control plane that answers a NACK with the same version again is slowed down, not fed at once.
        if (s.rejections == 1) send.run();
        else executor.schedule(send, Math.min(MAX_BACKOFF_MILLIS, 1000L << Math.min(5, s.rejections - 2)), TimeUnit.MILLISECONDS);
    }

    // ---- composing and applying ----

    /** The config with {@code type}'s resources replaced by {@code candidate} (null: as they are). */
    private Composer.Result compose(XdsType type, Map<String, Accepted> candidate) throws Rejection {
        Map<XdsType, Map<String, Accepted>> view = new EnumMap<>(XdsType.class);
        for (XdsType t : XdsType.values()) {
            TypeState s = subscriptions.get(t);
            view.put(t, t == type ? candidate : s == null ? Map.of() : s.resources);
        }
        return composer.compose(file, view.get(XdsType.LISTENER), view.get(XdsType.ROUTE), view.get(XdsType.SECRET), view.get(XdsType.CLUSTER),
                view.get(XdsType.ENDPOINT), current.listeners(), current.clusters(), Instant.now());
    }

    /** Checks the composed config as a file is checked and swaps it in; nothing changes on failure. */
    private void apply(Composer.Result next) throws Rejection {
        var errors = ConfigLoader.checkComposed(next.config(), baseDir);
        if (!errors.isEmpty()) throw new Rejection("", ResourcePaths.describe(errors, next.config(), file));
        if (!next.config().equals(current.config())) {
            try {
                proxy.reload(next.config());
            } catch (RuntimeException e) {
                throw new Rejection("", "the proxy cannot apply it: " + e.getMessage());
            }
        }
        current = next;
        if (deadline != null) deadline.cancel(false);
        deadline = null;
        if (next.nextDeadline() != null) {
            long ms = Math.max(1, Duration.between(Instant.now(), next.nextDeadline()).toMillis());
            deadline = executor.schedule(this::warmingTimedOut, ms, TimeUnit.MILLISECONDS);
        }
    }

    private void warmingTimedOut() {
        try {
            Composer.Result before = current;
            apply(compose(null, null));
            for (String l : before.warmingListeners()) {
                if (!current.warmingListeners().contains(l)) LOG.log(System.Logger.Level.WARNING, "xds: listener " + l
                        + " stopped warming after the initial fetch timeout; what it waits for is missing");
            }
            for (String c : before.warmingClusters()) {
                if (!current.warmingClusters().contains(c)) LOG.log(System.Logger.Level.WARNING, "xds: cluster " + c
                        + " has no endpoints after the initial fetch timeout; it answers 503 until EDS sends some");
            }
        } catch (Rejection e) {
            LOG.log(System.Logger.Level.WARNING, "xds: resources that finished warming cannot be applied: " + e.getMessage());
        }
        checkInitialized();
    }

    private void checkInitialized() {
        if (initialized) return;
        for (TypeState s : subscriptions.all()) if (s.type.wildcard && !s.fetched) return;
        if (!current.warmingListeners().isEmpty() || !current.warmingClusters().isEmpty()) return;
        initialized = true;
        LOG.log(System.Logger.Level.INFO, "xds: initial config applied: " + current.listeners().size() + " dynamic listeners, "
                + current.clusters().size() + " dynamic clusters");
    }

    private void initialFetchTimedOut() {
        if (initialized) return;
        initialized = true;
        for (TypeState s : subscriptions.all()) if (s.type.statsPrefix != null && !s.fetched) stats.inc(s.type.statsPrefix + ".init_fetch_timeout");
        LOG.log(System.Logger.Level.WARNING, "xds: initial fetch not complete after " + initialFetchTimeout.toMillis()
                + " ms; serving what has arrived (static resources at least) and going on waiting");
    }

    private void count(XdsType type, Set<String> names, String stat) {
        TypeState listeners = subscriptions.get(XdsType.LISTENER), clusters = subscriptions.get(XdsType.CLUSTER);
        stats.countUpdate(type, names, stat, listeners == null ? Map.of() : listeners.resources, clusters == null ? Map.of() : clusters.resources);
    }

    @Override
    public void close() {
        closed = true;
        try {
            executor.submit(protocol::close).get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.log(System.Logger.Level.WARNING, "xds: closing the stream: " + e);
        }
        executor.shutdownNow();
        scripts.close();
    }
}
