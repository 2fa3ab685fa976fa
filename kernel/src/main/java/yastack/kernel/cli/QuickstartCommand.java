package yastack.kernel.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import yastack.kernel.config.ConfigException;
import yastack.kernel.config.ConfigLoader;
import yastack.kernel.config.LoadedConfig;

@Command(name = "quickstart", mixinStandardHelpOptions = true,
        description = "Starts demo upstreams and the proxy with examples/quickstart/yastack.yaml, and prints what to curl.")
final class QuickstartCommand implements Callable<Integer> {
    @Option(names = "--config", paramLabel = "FILE", description = "default: <home>/examples/quickstart/yastack.yaml")
    Path config;

    @Override
    public Integer call() throws Exception {
        Path file = config != null ? config
                : Path.of(System.getProperty("yastack.home", "."), "examples", "quickstart", "yastack.yaml");
        if (!Files.isRegularFile(file)) {
            System.err.println("yastack: quickstart config not found: " + file);
            return 2;
        }
        LoadedConfig loaded;
        try {
            loaded = ConfigLoader.load(file);
        } catch (ConfigException e) {
            System.err.println("yastack: invalid config " + file + ":\n" + e.getMessage());
            return 1;
        }
        DemoUpstreams demo = new DemoUpstreams();
        try {
            demo.start("api-1", 19001);
            demo.start("api-2", 19002);
            demo.start("web", 19003);
        } catch (Exception e) {
            System.err.println("yastack: cannot start demo upstreams on 127.0.0.1:19001-19003: " + e.getMessage());
            demo.close();
            return 1;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                demo.close();
            } catch (Exception ignored) {
                // exiting anyway
            }
        }, "demo-shutdown"));
        System.out.println("""

                yastack quickstart is starting. Try:
                  curl -i http://127.0.0.1:8080/healthz                  # direct response
                  curl -s http://127.0.0.1:8080/api/hello                 # round robin over api-1/api-2, prefix rewritten
                  curl -s -H 'x-canary: 1' http://127.0.0.1:8080/api/hi   # header match -> canary
                  curl -si -H 'cookie: ab=b' http://127.0.0.1:8080/api/hi # A/B plugin (examples/plugins) -> canary
                  curl -i http://127.0.0.1:8080/old/page                  # 301 redirect
                  curl -s http://127.0.0.1:9901/stats                     # admin: stats (also /stats/prometheus, /clusters)
                Config: %s (edit it: changes apply live). Ctrl-C stops everything.
                """.formatted(file.toAbsolutePath()));
        Path plugins = Path.of(System.getProperty("yastack.home", "."), "examples", "plugins");
        return RunCommand.runUntilSignalled(loaded, 0, null, Files.isDirectory(plugins) ? plugins : null);
    }
}
