package yastack.server.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import yastack.config.ConfigError;
import yastack.config.ConfigException;
import yastack.config.ConfigLoader;

@Command(name = "validate", mixinStandardHelpOptions = true,
        description = {"Checks a config file without starting anything.",
            "Exit status: 0 valid, 1 invalid (every problem is listed), 2 file missing or unreadable."})
final class ValidateCommand implements Callable<Integer> {
    static final int INVALID = 1;
    static final int UNREADABLE = 2;

    @Spec
    CommandSpec spec;

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "The YAML config file.")
    Path config;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        // A missing file is a different failure from a wrong config: scripts can tell them apart.
        String unreadable = !Files.exists(config) ? "config file not found: " + config
                : Files.isDirectory(config) ? "config path is a directory, not a file: " + config
                : !Files.isReadable(config) ? "config file is not readable: " + config
                : null;
        if (unreadable != null) {
            err.println("yastack validate: " + unreadable);
            err.flush();
            return UNREADABLE;
        }
        try {
            ConfigLoader.load(config);
            out.println(config + ": valid");
            out.flush();
            return 0;
        } catch (ConfigException e) {
            for (ConfigError error : e.errors()) err.println(config + ": " + error);
            int n = e.errors().size();
            err.println(config + ": invalid (" + n + (n == 1 ? " error)" : " errors)"));
            err.flush();
            return INVALID;
        }
    }
}
