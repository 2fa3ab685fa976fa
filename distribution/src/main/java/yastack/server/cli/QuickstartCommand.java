package yastack.server.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;
import yastack.config.ConfigException;
import yastack.config.ConfigLoader;
import yastack.config.LoadedConfig;

/** {@code yastack quickstart}: demo upstreams and the proxy with examples/quickstart/. */
final class QuickstartCommand extends Subcommand {
    private static final String TAP = "ys0";
    private static final String KERNEL_SIDE = "10.213.8.1/24";

    QuickstartCommand() {
        super("quickstart", "Starts demo upstreams and the proxy with examples/quickstart/ (as root also a userspace "
                + "listener on a TAP device), and prints what to curl.");
    }

    @Override
    Options options() {
        return new Options()
                .addOption(option("config", "FILE", "default: <home>/examples/quickstart/yastack.yaml (yastack-userspace.yaml as root)"))
                .addOption(flag("host-only", "do not bring up the userspace listener even as root"));
    }

    @Override
    int run(CommandLine line) throws Exception {
        Path config = line.hasOption("config") ? Path.of(line.getOptionValue("config")) : null;
        boolean hostOnly = line.hasOption("host-only");
        Path home = Path.of(System.getProperty("yastack.home", "."));
        boolean userspace = config == null && !hostOnly && canCreateTap();
        Path file = config != null ? config
                : home.resolve("examples/quickstart").resolve(userspace ? "yastack-userspace.yaml" : "yastack.yaml");
        if (config == null && !userspace && !hostOnly) {
            System.out.println("yastack quickstart: not running as root, so host sockets only"
                    + " (as root it also serves the routes through yastack's own TCP/IP stack on a TAP device)");
        }
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
        StringBuilder help = new StringBuilder()
                .append("\nyastack quickstart is starting. Try:\n")
                .append("  curl -i http://127.0.0.1:8080/healthz                  # direct response\n")
                .append("  curl -s http://127.0.0.1:8080/api/hello                 # round robin over api-1/api-2, prefix rewritten\n")
                .append("  curl -s -H 'x-canary: 1' http://127.0.0.1:8080/api/hi   # header match -> canary\n")
                .append("  curl -si -H 'cookie: ab=b' http://127.0.0.1:8080/api/hi # A/B plugin (examples/plugins) -> canary\n")
                .append("  curl -s --http2-prior-knowledge http://127.0.0.1:8080/api/hello  # the same over HTTP/2 without TLS\n")
                .append("  curl -i http://127.0.0.1:8080/old/page                  # 301 redirect\n")
                .append("  curl -si http://127.0.0.1:8080/js                       # JavaScript filter: edit ")
                .append(home.resolve("examples/scripts/filters/greeting.js").toAbsolutePath().normalize())
                .append(" and curl again\n")
                .append("  curl -s http://127.0.0.1:9901/stats                     # admin: stats (also /stats/prometheus, /clusters)\n");
        if (userspace) {
            help.append("Through yastack's own TCP/IP stack (TAP device ").append(TAP).append(", kernel side 10.213.8.1):\n")
                .append("  curl -s http://10.213.8.2:8080/api/hello                # Linux TCP -> TAP -> Java TCP stack -> proxy\n")
                .append("  curl -s http://127.0.0.1:9901/stack                     # interfaces, ARP table, TCP states\n");
        }
        help.append("Config: ").append(file.toAbsolutePath()).append(" (edit it: changes apply live). Ctrl-C stops everything.\n");
        System.out.println(help);
        Path plugins = home.resolve("examples/plugins");
        return RunCommand.runUntilSignalled(loaded, 0, null, Files.isDirectory(plugins) ? plugins : null,
                userspace ? QuickstartCommand::addressKernelSide : () -> {});
    }

    private static boolean canCreateTap() {
        return "root".equals(System.getProperty("user.name")) && Files.exists(Path.of("/dev/net/tun"));
    }

    /** Gives the kernel's side of the quickstart TAP device its address, so curl can reach the stack. */
    private static void addressKernelSide() {
        try {
            Process p = new ProcessBuilder("ip", "addr", "replace", KERNEL_SIDE, "dev", TAP).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() != 0) System.err.println("yastack quickstart: could not address " + TAP + " (" + out.trim() + ")");
        } catch (Exception e) {
            System.err.println("yastack quickstart: could not run `ip` to address " + TAP + ": " + e.getMessage());
        }
    }
}
