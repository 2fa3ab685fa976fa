package yastack.server.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;
import yastack.config.ConfigException;
import yastack.config.ConfigLoader;
import yastack.config.LoadedConfig;
import yastack.kernel.util.Logs;
import yastack.server.LogLevels;
import yastack.server.ProxyInstance;

/** {@code yastack run}: the proxy, until SIGTERM or SIGINT. */
final class RunCommand extends Subcommand {
    private static final System.Logger LOG = Logs.get("yastack");

    RunCommand() {
        super("run", "Starts the proxy with a config file. The config file is watched: a valid change is applied, "
                + "an invalid one is logged and ignored. SIGTERM or SIGINT drains (see drain: in the config) and exits 0; "
                + "a second one exits at once.");
    }

    @Override
    Options options() {
        return new Options()
                .addOption(required(option("config", "FILE", "YAML config file")))
                .addOption(option("plugins", "DIR", "plugin directory (jars or subdirectories)"))
                .addOption(option("workers", "N", "worker event loops (default: config `workers`, else one per core)"))
                .addOption(option("admin-port", "PORT", "override admin.port (0 = any free port)"))
                .addOption(option("log-level", "LEVEL", "the lowest level logged: " + LogLevels.NAMES + " (default info; "
                        + "POST /logging changes it at run time)"))
                .addOption(option("upgrade-from", "ADMIN", "take over from the instance whose admin API is at ADMIN "
                        + "(host:port): bind beside it (SO_REUSEPORT), then send it SIGTERM so it drains and exits; "
                        + "the admin address is bound once free"));
    }

    @Override
    int run(CommandLine line) {
        Path config = Path.of(line.getOptionValue("config"));
        Path plugins = line.hasOption("plugins") ? Path.of(line.getOptionValue("plugins")) : null;
        int workers = intValue(line, "workers", 0);
        Integer adminPort = line.hasOption("admin-port") ? intValue(line, "admin-port", 0) : null;
        String upgradeFrom = line.getOptionValue("upgrade-from");
        if (line.hasOption("log-level")) {
            Level level = LogLevels.parse(line.getOptionValue("log-level"));
            if (level == null) {
                System.err.println("yastack: --log-level: unknown level '" + line.getOptionValue("log-level") + "' (" + LogLevels.NAMES + ")");
                return 1;
            }
            Logger.getLogger("").setLevel(level);
        }
        LoadedConfig loaded;
        try {
            loaded = ConfigLoader.load(config);
        } catch (ConfigException e) {
            System.err.println("yastack: invalid config " + config + ":");
            System.err.println(e.getMessage());
            return 1;
        }
        Upgrade.Old old = null;
        if (upgradeFrom != null) {
            if (loaded.bootstrap().getStack().getInterfacesCount() > 0) {
                // Its TAP device or DPDK port, and the TCP state of its connections, belong to
                // the running process's stack: a second stack beside it cannot share them.
                System.err.println("yastack: --upgrade-from takes over host listeners only; this config has userspace interfaces "
                        + "(stack.interfaces), which two processes cannot share: replace the instance with a rolling upgrade "
                        + "(drain it, then start the new one)");
                return 1;
            }
            try {
                old = Upgrade.find(upgradeFrom);
            } catch (IllegalStateException e) {
                System.err.println("yastack: --upgrade-from: " + e.getMessage());
                return 1;
            }
        }
        return runUntilSignalled(loaded, workers, adminPort, plugins, () -> {}, old);
    }

    static int runUntilSignalled(LoadedConfig loaded, int workers, Integer adminPort, Path pluginDir, Runnable started) {
        return runUntilSignalled(loaded, workers, adminPort, pluginDir, started, null);
    }

    /** Runs until a signal's drain is over; {@code old} (or null) is the instance this one replaces. */
    private static int runUntilSignalled(LoadedConfig loaded, int workers, Integer adminPort, Path pluginDir, Runnable started,
                                         Upgrade.Old old) {
        if (pluginDir != null && !Files.isDirectory(pluginDir)) {
            System.err.println("yastack: plugin directory not found: " + pluginDir);
            return 1;
        }
        ProxyInstance instance;
        try {
            instance = old == null ? ProxyInstance.start(loaded, workers, adminPort, true, pluginDir)
                    : ProxyInstance.startBeside(loaded, workers, adminPort, true, pluginDir);
        } catch (RuntimeException e) {
            System.err.println("yastack: cannot start: " + e.getMessage()
                    + (old != null ? " (the running instance, pid " + old.pid() + ", was left as it is)" : ""));
            return 1;
        }
        CompletableFuture<Integer> exitCode = new CompletableFuture<>();
        ShutdownSignals.install(instance, exitCode);
        instance.quitRequested().thenRun(() -> exitCode.complete(0));
        LogRotationSignal.install(instance);
        started.run();
        if (old != null) {
            Upgrade.warnUnlessRequestsMigrate();
            try {
                Upgrade.drainOld(old);
            } catch (IllegalStateException e) {
                LOG.log(System.Logger.Level.WARNING, "upgrade: " + e.getMessage() + "; serving beside it");
            }
        }
        int code = exitCode.join();
        ExitReport.log(instance.proxy().stats(), code);
        instance.close();
        return code;
    }
}
