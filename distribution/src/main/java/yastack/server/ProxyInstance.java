package yastack.server;

import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import yastack.api.config.Bootstrap;
import yastack.config.ConfigException;
import yastack.config.ConfigLoader;
import yastack.config.LoadedConfig;
import yastack.kernel.dataplane.Dataplane;
import yastack.kernel.plugin.PluginLoader;
import yastack.kernel.plugin.PluginRegistry;
import yastack.kernel.util.FileWatcher;
import yastack.kernel.util.Logs;
import yastack.proxy.ProxyEngine;
import yastack.proxy.ProxyServer;
import yastack.server.admin.AdminServer;
import yastack.xds.XdsClient;

/**
 * A running yastack: the proxy engine, the admin API and the config watcher. The CLI's
 * {@code run} and {@code quickstart} and the server's tests all start it this way.
 */
public final class ProxyInstance implements AutoCloseable {
    private static final System.Logger LOG = Logs.get("yastack");

    private final LoadedConfig loaded;
    private final ProxyEngine engine;
    private final AdminServer admin;
    private final AtomicBoolean ready = new AtomicBoolean();
    private final FileWatcher watcher;
    private volatile int adminPort;
    private volatile boolean closed;
    private final long startNanos = System.nanoTime();
    /** Completed by the admin's /quitquitquit; whoever runs the process exits on it. */
    private final CompletableFuture<Void> quit = new CompletableFuture<>();
    private volatile boolean healthCheckFailed;
    private Drainer drainer;
    /** The control plane's client when the config has dynamic_resources, else null. */
    private final XdsClient xds;

    private ProxyInstance(LoadedConfig loaded, int workers, Integer adminPortOverride, boolean watch, Path pluginDir,
                          boolean adminWhenFree) {
        this.loaded = loaded;
        Bootstrap cfg = loaded.bootstrap();
        PluginRegistry plugins = PluginLoader.load(pluginDir, ModuleLayer.boot());
        for (var problem : plugins.problems()) LOG.log(System.Logger.Level.WARNING, "plugins: " + problem);
        this.engine = ProxyEngine.start(cfg, loaded.baseDir(), workers, plugins);
        // Every thread's allocations since start: bench/alloc.sh divides it by requests.
        if (ManagementFactory.getThreadMXBean() instanceof ThreadMXBean threads && threads.isThreadAllocatedMemorySupported()) {
            engine.stats().registerComputed("server.jvm.allocated_bytes", threads::getTotalThreadAllocatedBytes);
        }
        XdsClient client = null;
        AdminServer adminServer = null;
        try {
            if (cfg.hasDynamicResources()) {
                client = XdsClient.start(loaded, engine.proxy());
                engine.stats().registerSource(client::stats);
            }
            XdsClient xdsClient = client;
            // Ready once the control plane's first answers are in (or its initial_fetch_timeout passed).
            adminServer = new AdminServer(engine.proxy(), () -> ready() && (xdsClient == null || xdsClient.initialized()),
                    this::reloadOrThrow, engine.dataplane(), new Lifecycle(), xdsClient == null ? null : xdsClient::configDumpJson);
            String address = cfg.getAdmin().getAddress().isEmpty() ? "127.0.0.1" : cfg.getAdmin().getAddress();
            int port = adminPortOverride != null ? adminPortOverride : cfg.getAdmin().getPort() == 0 ? 9901 : cfg.getAdmin().getPort();
            if (adminWhenFree) {
                AdminServer a = adminServer;
                Thread.ofPlatform().daemon().name("admin-bind").start(() -> bindWhenFree(a, address, port));
            } else {
                this.adminPort = adminServer.start(address, port);
            }
        } catch (RuntimeException e) {
            if (adminServer != null) adminServer.close();
            if (client != null) client.close();
            engine.close();
            throw e;
        }
        this.xds = client;
        this.admin = adminServer;
        this.watcher = watch && loaded.file() != null ? FileWatcher.start("config", List.of(loaded.file()), this::reloadQuietly) : null;
        ready.set(true);
    }

    /**
     * Starts everything or throws {@link IllegalStateException} with a message for the operator.
     *
     * @param workers worker count (0: from config, else one per core)
     * @param adminPort admin port override (tests use 0 for "any free port"), or null
     */
    public static ProxyInstance start(LoadedConfig config, int workers, Integer adminPort, boolean watchConfig) {
        return new ProxyInstance(config, workers, adminPort, watchConfig, null, false);
    }

    /** As above, with plugins loaded from {@code pluginDir} (null: built-ins only). */
    public static ProxyInstance start(LoadedConfig config, int workers, Integer adminPort, boolean watchConfig, Path pluginDir) {
        return new ProxyInstance(config, workers, adminPort, watchConfig, pluginDir, false);
    }

    /**
     * As above, beside an instance being replaced that still holds the admin address: the
     * listeners bind now (SO_REUSEPORT shares their ports), the admin API once its address
     * is free ({@link #adminPort()} is 0 until then).
     */
    public static ProxyInstance startBeside(LoadedConfig config, int workers, Integer adminPort, boolean watchConfig, Path pluginDir) {
        return new ProxyInstance(config, workers, adminPort, watchConfig, pluginDir, true);
    }

    private void bindWhenFree(AdminServer server, String address, int port) {
        boolean told = false;
        while (!closed) {
            try {
                adminPort = server.start(address, port);
                return;
            } catch (IllegalStateException e) {
                if (!told) {
                    LOG.log(System.Logger.Level.INFO, "admin: " + address + ":" + port
                            + " is still held (by the instance being replaced?); binding it once it is free");
                    told = true;
                }
                try {
                    TimeUnit.MILLISECONDS.sleep(100);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    public ProxyServer proxy() {
        return engine.proxy();
    }

    public ProxyEngine engine() {
        return engine;
    }

    /** The userspace data plane, or null when the config has no stack interfaces. */
    public Dataplane dataplane() {
        return engine.dataplane();
    }

    /** The admin API's port; 0 while {@link #startBeside} waits for it. */
    public int adminPort() {
        return adminPort;
    }

    public Path configFile() {
        return loaded.file();
    }

    /** {@code /ready}: started, not draining, health check not failed by an operator. */
    public boolean ready() {
        return ready.get() && !healthCheckFailed && !draining();
    }

    private synchronized boolean draining() {
        return drainer != null;
    }

    /**
     * Drains the proxy (SIGTERM, {@code POST /drain_listeners}): {@code /ready} answers 503 at
     * once, connections close as they finish, listeners close after {@code drain.delay}
     * ({@code graceful}) or now, and the future completes when the last connection has (or
     * was cut at {@code drain.timeout}). A second call joins the drain under way; a
     * non-graceful one ends its delay.
     */
    public synchronized CompletableFuture<Void> drain(boolean graceful) {
        if (drainer == null) {
            drainer = Drainer.start(engine.proxy(), engine.proxy().config().getDrain(), graceful);
        } else if (!graceful) {
            drainer.closeListenersNow();
        }
        return drainer.done();
    }

    /**
     * Envoy's {@code /healthcheck/fail} ({@code true}) and {@code /healthcheck/ok}: {@code /ready}
     * answers 503 and connections close as they finish, while listeners keep accepting.
     */
    public synchronized void failHealthCheck(boolean failed) {
        healthCheckFailed = failed;
        if (drainer == null) engine.proxy().drainConnections(failed);
    }

    /** Envoy's server states: LIVE, or DRAINING once a drain or a failed health check started. */
    public String state() {
        return healthCheckFailed || draining() ? "DRAINING" : "LIVE";
    }

    /** What the admin API's lifecycle endpoints do to this instance. */
    /** Completes when the admin API asks the process to exit (/quitquitquit). */
    public CompletableFuture<Void> quitRequested() {
        return quit;
    }

    private final class Lifecycle implements AdminServer.Lifecycle {
        @Override
        public CompletableFuture<Void> drain(boolean graceful) {
            return ProxyInstance.this.drain(graceful);
        }

        @Override
        public void failHealthCheck(boolean failed) {
            ProxyInstance.this.failHealthCheck(failed);
        }

        @Override
        public void quit() {
            quit.complete(null);
        }

        @Override
        public Map<String, Object> serverInfo() {
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("pid", ProcessHandle.current().pid());
            info.put("state", state());
            info.put("uptime_seconds", TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startNanos));
            info.put("open_connections", engine.proxy().openConnections());
            info.put("host_transport", engine.workers().hostTransport().name());
            return info;
        }
    }

    /** Re-reads the config file; a bad file leaves the running config in place. */
    private void reloadOrThrow() {
        if (loaded.file() == null) throw new IllegalStateException("no config file to reload");
        try {
            LoadedConfig next = ConfigLoader.load(loaded.file());
            // Under a control plane, the file is the static part: it is composed with the dynamic resources.
            if (xds != null) xds.replaceStatic(next.bootstrap());
            else engine.proxy().reload(next.bootstrap());
            LOG.log(System.Logger.Level.INFO, "config reloaded from " + loaded.file());
            List<String> later = RestartOnly.changed(loaded.bootstrap(), next.bootstrap());
            if (!later.isEmpty()) {
                LOG.log(System.Logger.Level.WARNING, "config reload: " + String.join(", ", later)
                        + " changed; the running process keeps what it started with until it is restarted");
            }
        } catch (ConfigException e) {
            throw new IllegalStateException("config reload rejected, keeping the running config:\n" + e.getMessage());
        } catch (IllegalStateException e) {
            throw new IllegalStateException("config reload rejected, keeping the running config:\n" + e.getMessage(), e);
        }
    }

    private void reloadQuietly() {
        try {
            reloadOrThrow();
        } catch (IllegalStateException e) {
            LOG.log(System.Logger.Level.WARNING, e.getMessage());
        }
    }

    @Override
    public void close() {
        closed = true;
        ready.set(false);
        if (watcher != null) watcher.close();
        admin.close();
        if (xds != null) xds.close();
        engine.close();
    }
}
