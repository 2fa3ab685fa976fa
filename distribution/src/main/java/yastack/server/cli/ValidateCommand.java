package yastack.server.cli;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import yastack.config.ConfigError;
import yastack.config.ConfigException;
import yastack.config.ConfigLoader;

/** {@code yastack validate}: a config checked without starting anything. */
final class ValidateCommand extends Subcommand {
    static final int INVALID = 1;
    static final int UNREADABLE = 2;

    ValidateCommand() {
        super("validate", "Checks a config file without starting anything. "
                + "Exit status: 0 valid, 1 invalid (every problem is listed), 2 file missing or unreadable.");
    }

    @Override
    Options options() {
        Options o = new Options();
        o.addOption(required(Option.builder("c").longOpt("config").hasArg().argName("FILE")
                .desc("The YAML config file.").get()));
        return o;
    }

    @Override
    int run(CommandLine line) {
        Path config = Path.of(line.getOptionValue("config"));
        PrintStream out = System.out;
        PrintStream err = System.err;
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
