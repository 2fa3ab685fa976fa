package yastack.server.cli;

import java.util.List;
import org.apache.commons.cli.CommandLine;

/** {@code yastack}: the commands; alone, it prints its usage. */
final class YastackCommand extends Subcommand {
    YastackCommand() {
        super("yastack", "A programmable L4/L7 proxy with host and userspace TCP/IP sockets.");
    }

    @Override
    List<Subcommand> subcommands() {
        return List.of(new RunCommand(), new ValidateCommand(), new PluginsCommand(), new QuickstartCommand(), new BenchCommand(),
                new VersionCommand());
    }

    @Override
    int run(CommandLine line) {
        usage(System.out);
        return 0;
    }
}
