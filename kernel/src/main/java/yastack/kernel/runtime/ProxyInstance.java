package yastack.kernel.runtime;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;
import yastack.api.config.Bootstrap;
import yastack.kernel.admin.AdminServer;
import yastack.kernel.config.ConfigException;
import yastack.kernel.config.ConfigLoader;
import yastack.kernel.config.LoadedConfig;
import yastack.kernel.plugin.PluginLoader;
import yastack.kernel.plugin.PluginRegistry;
import yastack.kernel.proxy.ProxyServer;
import yastack.kernel.stats.StatsStore;

/**
 * A running yastack: the data plane, the admin API and the config watcher. The CLI's
 * {@code run} and {@code quickstart} and the integration tests all start it this way.
 */
public final class ProxyInstance implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger("yastack");

    private final LoadedConfig loaded;
    private final ProxyServer proxy;
    private final AdminServer admin;
    private final yastack.kernel.dataplane.Dataplane dataplane;
    private final ScriptSupport scripts;
    private final AtomicBoolean ready = new AtomicBoolean();
    private final FileWatcher watcher;
    private final int adminPort;

    private ProxyInstance(LoadedConfig loaded, int workers, Integer adminPortOverride, boolean watch, Path pluginDir) {
        this.loaded = loaded;
        Bootstrap cfg = loaded.bootstrap();
        int n = workerCount(cfg, workers);
        StatsStore stats = new StatsStore(n);
        PluginRegistry plugins = PluginLoader.load(pluginDir, ModuleLayer.boot());
        for (var problem : plugins.problems()) LOG.warning("plugins: " + problem);
        stats.registerSource(() -> plugins.stats().snapshot());
        ProxyServer[] self = new ProxyServer[1];
        this.scripts = new ScriptSupport(loaded.baseDir(), stats, () -> self[0] == null ? java.util.Map.of() : self[0].clusters());
        try {
            this.proxy = new ProxyServer(cfg, loaded.baseDir(), n, stats, plugins, scripts);
        } catch (RuntimeException e) {
            scripts.close();
            throw e;
        }
        self[0] = proxy;
        AdminServer adminServer = null;
        yastack.kernel.dataplane.Dataplane dp = null;
        try {
            if (cfg.hasStack() && cfg.getStack().getInterfacesCount() > 0) {
                // Before the listeners, so userspace ones find their shards; steering policies
                // come from the plugin layer (built-ins or third-party jars).
                dp = yastack.kernel.dataplane.Dataplane.start(cfg, proxy, name -> {
                    if (name.startsWith("script:")) {
                        return yastack.kernel.dataplane.FlowSteering.of(scripts.steering(name.substring("script:".length())));
                    }
                    if (plugins.steeringFactory(name).isEmpty()) return null;
                    try {
                        return yastack.kernel.dataplane.FlowSteering.of(plugins.createSteering(name,
                                com.google.protobuf.Struct.getDefaultInstance(), "stack.rss.steering"));
                    } catch (yastack.api.PluginConfigException e) {
                        throw new IllegalStateException(e.getMessage(), e);
                    }
                });
            }
            if (dp != null) proxy.useUserspaceNetwork(new yastack.kernel.dataplane.DataplaneNetwork(dp, cfg.getStack()));
            proxy.start();
            adminServer = new AdminServer(proxy, ready::get, this::reloadOrThrow, dp);
            String address = cfg.getAdmin().getAddress().isEmpty() ? "127.0.0.1" : cfg.getAdmin().getAddress();
            int port = adminPortOverride != null ? adminPortOverride : cfg.getAdmin().getPort() == 0 ? 9901 : cfg.getAdmin().getPort();
            this.adminPort = adminServer.start(address, port);
        } catch (RuntimeException e) {
            if (adminServer != null) adminServer.close();
            if (dp != null) dp.close();
            proxy.close();
            scripts.close();
            throw e;
        }
        this.admin = adminServer;
        this.dataplane = dp;
        this.watcher = watch && loaded.file() != null ? FileWatcher.start("config", java.util.List.of(loaded.file()), this::reloadQuietly) : null;
        ready.set(true);
    }

    /** --workers, else stack.cores, else stack.workers, else top-level workers, else one per core. */
    static int workerCount(Bootstrap cfg, int override) {
        if (override > 0) return override;
        if (cfg.hasStack() && cfg.getStack().getCoresCount() > 0) return cfg.getStack().getCoresCount();
        if (cfg.hasStack() && cfg.getStack().getWorkers() > 0) return cfg.getStack().getWorkers();
        if (cfg.getWorkers() > 0) return cfg.getWorkers();
        return Runtime.getRuntime().availableProcessors();
    }

    /**
     * Starts everything or throws {@link IllegalStateException} with a message for the operator.
     *
     * @param workers worker count (0: from config, else one per core)
     * @param adminPort admin port override (tests use 0 for "any free port"), or null
     */
    public static ProxyInstance start(LoadedConfig config, int workers, Integer adminPort, boolean watchConfig) {
        return new ProxyInstance(config, workers, adminPort, watchConfig, null);
    }

    /** As above, with plugins loaded from {@code pluginDir} (null: built-ins only). */
    public static ProxyInstance start(LoadedConfig config, int workers, Integer adminPort, boolean watchConfig, Path pluginDir) {
        return new ProxyInstance(config, workers, adminPort, watchConfig, pluginDir);
    }

    public ProxyServer proxy() {
        return proxy;
    }

    /** The userspace data plane, or null when the config has no stack interfaces. */
    public yastack.kernel.dataplane.Dataplane dataplane() {
        return dataplane;
    }

    public int adminPort() {
        return adminPort;
    }

    public Path configFile() {
        return loaded.file();
    }

    /** Re-reads the config file; a bad file leaves the running config in place. */
    private void reloadOrThrow() {
        if (loaded.file() == null) throw new IllegalStateException("no config file to reload");
        try {
            LoadedConfig next = ConfigLoader.load(loaded.file());
            proxy.reload(next.bootstrap());
            LOG.info("config reloaded from " + loaded.file());
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
            LOG.warning(e.getMessage());
        }
    }

    @Override
    public void close() {
        ready.set(false);
        if (watcher != null) watcher.close();
        admin.close();
        if (dataplane != null) dataplane.close();
        proxy.close();
        scripts.close();
    }
}
