package yastack.server.cli;

import picocli.CommandLine.Command;

@Command(name = "yastack", mixinStandardHelpOptions = true,
        versionProvider = VersionCommand.Provider.class,
        description = "A programmable L4/L7 proxy with host and userspace TCP/IP sockets.",
        subcommands = {RunCommand.class, ValidateCommand.class, PluginsCommand.class, QuickstartCommand.class, BenchCommand.class, VersionCommand.class})
final class YastackCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }
}
