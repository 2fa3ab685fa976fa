package yastack.server.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;

/**
 * One {@code yastack} command: its options (parsed by Apache Commons CLI, whose classes an AOT
 * cache can hold, unlike picocli's Java 5 ones, which cost every start ~140 ms of loading and
 * old-style verification), its help, and what it does. A command with subcommands (yastack,
 * yastack bench) hands the rest of the arguments to the one its first argument names. Every
 * command takes -h/--help and -V/--version; a usage error prints the problem and the usage on
 * stderr and exits 2.
 */
abstract class Subcommand {
    static final int USAGE_ERROR = 2;

    private final String name;
    private final String description;
    /** The command line that reached this command ("yastack bench stack"), for its usage. */
    private String invokedAs;

    Subcommand(String name, String description) {
        this.name = name;
        this.description = description;
    }

    final String name() {
        return name;
    }

    /** The command's own options (help and version are added to them). */
    Options options() {
        return new Options();
    }

    List<Subcommand> subcommands() {
        return List.of();
    }

    /** Does the command's work with its parsed options; returns the exit status. */
    abstract int run(CommandLine line) throws Exception;

    /** An option's value is not what it must be: a usage error. */
    static final class BadValue extends RuntimeException {
        BadValue(String message) {
            super(message);
        }
    }

    static Option option(String longName, String argName, String description) {
        return Option.builder().longOpt(longName).hasArg().argName(argName).desc(description).get();
    }

    static Option flag(String longName, String description) {
        return Option.builder().longOpt(longName).desc(description).get();
    }

    static Option required(Option o) {
        o.setRequired(true);
        return o;
    }

    static int intValue(CommandLine line, String option, int otherwise) {
        String v = line.getOptionValue(option);
        if (v == null) return otherwise;
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new BadValue("Invalid value for option '--" + option + "': '" + v + "' is not an int");
        }
    }

    static double doubleValue(CommandLine line, String option, double otherwise) {
        String v = line.getOptionValue(option);
        if (v == null) return otherwise;
        try {
            return Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new BadValue("Invalid value for option '--" + option + "': '" + v + "' is not a number");
        }
    }

    /** Runs this command as {@code path name args...} ({@code path}: the commands before it). */
    final int execute(String path, String[] args) {
        String full = path.isEmpty() ? name : path + " " + name;
        invokedAs = full;
        List<Subcommand> subcommands = subcommands();
        if (!subcommands.isEmpty() && args.length > 0 && !args[0].startsWith("-")) {
            for (Subcommand s : subcommands) {
                if (s.name.equals(args[0])) return s.execute(full, Arrays.copyOfRange(args, 1, args.length));
            }
            return usageError("Unknown command: '" + args[0] + "'");
        }
        Options options = withStandardOptions(options());
        CommandLine line;
        try {
            line = DefaultParser.builder().get().parse(options, args);
        } catch (ParseException e) {
            // Help and version answer whatever else is missing or wrong (a required option, say).
            List<String> given = Arrays.asList(args);
            if (given.contains("--help") || given.contains("-h")) {
                usage(System.out);
                return 0;
            }
            if (given.contains("--version") || given.contains("-V")) {
                VersionCommand.print(System.out);
                return 0;
            }
            return usageError(e.getMessage());
        }
        if (line.hasOption("help")) {
            usage(System.out);
            return 0;
        }
        if (line.hasOption("version")) {
            VersionCommand.print(System.out);
            return 0;
        }
        if (!line.getArgList().isEmpty()) return usageError("Unmatched argument: " + String.join(" ", line.getArgList()));
        try {
            return run(line);
        } catch (BadValue e) {
            return usageError(e.getMessage());
        } catch (Exception e) {
            e.printStackTrace();
            return 1;
        }
    }

    private int usageError(String problem) {
        System.err.println(problem);
        usage(System.err);
        return USAGE_ERROR;
    }

    /** "Usage: yastack run [OPTIONS]", the description, the options and the subcommands. */
    final void usage(PrintStream out) {
        String full = invokedAs != null ? invokedAs : name;
        List<Subcommand> subcommands = subcommands();
        StringBuilder b = new StringBuilder("Usage: ").append(full).append(" [OPTIONS]");
        if (!subcommands.isEmpty()) b.append(" [COMMAND]");
        b.append("\n");
        wrap(description, "", b);
        List<String[]> rows = new ArrayList<>();
        for (Option o : withStandardOptions(options()).getOptions()) {
            String names = (o.getOpt() != null ? "-" + o.getOpt() + ", " : "    ") + "--" + o.getLongOpt()
                    + (o.hasArg() ? "=" + o.getArgName() : "");
            rows.add(new String[] {names, o.getDescription() + (o.isRequired() ? " (required)" : "")});
        }
        table("Options:", rows, b);
        if (!subcommands.isEmpty()) {
            rows.clear();
            for (Subcommand c : subcommands) rows.add(new String[] {c.name, c.description});
            table("Commands:", rows, b);
        }
        out.print(b);
        out.flush();
    }

    private static void table(String title, List<String[]> rows, StringBuilder b) {
        int width = 0;
        for (String[] r : rows) width = Math.max(width, r[0].length());
        b.append('\n').append(title).append('\n');
        for (String[] r : rows) {
            String left = "  " + r[0] + " ".repeat(width - r[0].length() + 2);
            b.append(left);
            wrap(r[1], " ".repeat(left.length()), b);
        }
    }

    /** {@code text} in lines of at most ~100 columns, the first one after what {@code b} holds, the rest indented. */
    private static void wrap(String text, String indent, StringBuilder b) {
        int column = b.length() - b.lastIndexOf("\n") - 1;
        for (String word : text.split(" ")) {
            if (column > indent.length() && column + 1 + word.length() > 100) {
                b.append('\n').append(indent);
                column = indent.length();
            } else if (column > indent.length()) {
                b.append(' ');
                column++;
            }
            b.append(word);
            column += word.length();
        }
        b.append('\n');
    }

    private static Options withStandardOptions(Options options) {
        return options
                .addOption(Option.builder("h").longOpt("help").desc("show this help and exit").get())
                .addOption(Option.builder("V").longOpt("version").desc("print version information and exit").get());
    }
}
