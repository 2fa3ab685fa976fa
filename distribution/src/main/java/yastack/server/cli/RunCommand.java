package yastack.server.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import yastack.config.ConfigException;
import yastack.config.ConfigLoader;
import yastack.config.LoadedConfig;
import yastack.server.ProxyInstance;

@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Starts the proxy with a config file; runs until SIGINT/SIGTERM. "
                + "The config file is watched: a valid change is applied, an invalid one is logged and ignored.")
final class RunCommand implements Callable<Integer> {
    @Option(names = "--config", required = true, paramLabel = "FILE", description = "YAML config file")
    Path config;

    @Option(names = "--plugins", paramLabel = "DIR", description = "plugin directory (jars or subdirectories)")
    Path plugins;

    @Option(names = "--workers", paramLabel = "N", description = "worker event loops (default: config `workers`, else one per core)")
    int workers;

    @Option(names = "--admin-port", paramLabel = "PORT", description = "override admin.port (0 = any free port)")
    Integer adminPort;

    @Override
    public Integer call() {
        LoadedConfig loaded;
        try {
            loaded = ConfigLoader.load(config);
        } catch (ConfigException e) {
            System.err.println("yastack: invalid config " + config + ":");
            System.err.println(e.getMessage());
            return 1;
        }
        return runUntilSignalled(loaded, workers, adminPort, plugins);
    }

    static int runUntilSignalled(LoadedConfig loaded, int workers, Integer adminPort, Path pluginDir) {
        return runUntilSignalled(loaded, workers, adminPort, pluginDir, () -> {});
    }

    static int runUntilSignalled(LoadedConfig loaded, int workers, Integer adminPort, Path pluginDir, Runnable started) {
        if (pluginDir != null && !Files.isDirectory(pluginDir)) {
            System.err.println("yastack: plugin directory not found: " + pluginDir);
            return 1;
        }
        ProxyInstance instance;
        try {
            instance = ProxyInstance.start(loaded, workers, adminPort, true, pluginDir);
        } catch (RuntimeException e) {
            System.err.println("yastack: cannot start: " + e.getMessage());
            return 1;
        }
        LogRotationSignal.install(instance);
        started.run();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            instance.close();
            stopped.countDown();
        }, "shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }
}
