package yastack.server;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import yastack.api.config.Bootstrap;
import yastack.config.ConfigException;
import yastack.config.ConfigLoader;
import yastack.config.LoadedConfig;
import yastack.kernel.dataplane.Dataplane;
import yastack.kernel.plugin.PluginLoader;
import yastack.kernel.plugin.PluginRegistry;
import yastack.kernel.util.FileWatcher;
import yastack.proxy.ProxyEngine;
import yastack.proxy.ProxyServer;
import yastack.server.admin.AdminServer;
import yastack.xds.XdsClient;

/**
 * A running yastack: the proxy engine, the admin API and the config watcher. The CLI's
 * {@code run} and {@code quickstart} and the server's tests all start it this way.
 */
public final class ProxyInstance implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("yastack");

    private final LoadedConfig loaded;
    private final ProxyEngine engine;
    private final AdminServer admin;
    private final AtomicBoolean ready = new AtomicBoolean();
    private final FileWatcher watcher;
    private final int adminPort;
    /** The control plane's client when the config has dynamic_resources, else null. */
    private final XdsClient xds;

    private ProxyInstance(LoadedConfig loaded, int workers, Integer adminPortOverride, boolean watch, Path pluginDir) {
        this.loaded = loaded;
        Bootstrap cfg = loaded.bootstrap();
        PluginRegistry plugins = PluginLoader.load(pluginDir, ModuleLayer.boot());
        for (var problem : plugins.problems()) LOG.log(System.Logger.Level.WARNING, "plugins: " + problem);
        this.engine = ProxyEngine.start(cfg, loaded.baseDir(), workers, plugins);
        XdsClient client = null;
        AdminServer adminServer = null;
        try {
            if (cfg.hasDynamicResources()) {
                client = XdsClient.start(loaded, engine.proxy());
                engine.stats().registerSource(client::stats);
            }
            XdsClient xdsClient = client;
            adminServer = new AdminServer(engine.proxy(), () -> ready.get() && (xdsClient == null || xdsClient.initialized()),
                    this::reloadOrThrow, engine.dataplane(), xdsClient == null ? null : xdsClient::configDumpJson);
            String address = cfg.getAdmin().getAddress().isEmpty() ? "127.0.0.1" : cfg.getAdmin().getAddress();
            int port = adminPortOverride != null ? adminPortOverride : cfg.getAdmin().getPort() == 0 ? 9901 : cfg.getAdmin().getPort();
            this.adminPort = adminServer.start(address, port);
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
        return new ProxyInstance(config, workers, adminPort, watchConfig, null);
    }

    /** As above, with plugins loaded from {@code pluginDir} (null: built-ins only). */
    public static ProxyInstance start(LoadedConfig config, int workers, Integer adminPort, boolean watchConfig, Path pluginDir) {
        return new ProxyInstance(config, workers, adminPort, watchConfig, pluginDir);
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
            // Under a control plane, the file is the static part: it is composed with the dynamic resources.
            if (xds != null) xds.replaceStatic(next.bootstrap());
            else engine.proxy().reload(next.bootstrap());
            LOG.log(System.Logger.Level.INFO, "config reloaded from " + loaded.file());
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
        ready.set(false);
        if (watcher != null) watcher.close();
        admin.close();
        if (xds != null) xds.close();
        engine.close();
    }
}
