package yastack.server.cli;

import java.io.PrintStream;
import org.apache.commons.cli.CommandLine;
import yastack.proxy.ProxyServer;
import yastack.proxy.Scripts;
import yastack.server.admin.Version;

/** {@code yastack version} (and every command's --version). */
final class VersionCommand extends Subcommand {
    VersionCommand() {
        super("version", "Prints the version and runtime facts.");
    }

    @Override
    int run(CommandLine line) {
        print(System.out);
        return 0;
    }

    static void print(PrintStream out) {
        out.println("yastack " + Version.current());
        out.println("java " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ")");
        out.println(Scripts.describe());
        out.println(ProxyServer.describeTracing());
    }
}
