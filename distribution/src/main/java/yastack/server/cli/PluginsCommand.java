package yastack.server.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;
import yastack.kernel.plugin.PluginInfo;
import yastack.kernel.plugin.PluginLoader;
import yastack.kernel.plugin.PluginProblem;
import yastack.kernel.plugin.PluginRegistry;

/** {@code yastack plugins}: what a plugin directory holds and what is wrong with it. */
final class PluginsCommand extends Subcommand {
    PluginsCommand() {
        super("plugins", "Lists the built-in plugins and those found in a plugin directory, and what is wrong with the rest. "
                + "Exit code 0 when every plugin loaded, 1 when there were problems.");
    }

    @Override
    Options options() {
        return new Options().addOption(option("plugins", "DIR", "plugin directory: *.jar files and subdirectories of jars"));
    }

    @Override
    int run(CommandLine line) {
        Path dir = line.hasOption("plugins") ? Path.of(line.getOptionValue("plugins")) : null;
        PluginRegistry registry = PluginLoader.load(dir, hostLayer());
        print(registry, System.out);
        return registry.problems().isEmpty() ? 0 : 1;
    }

    /** The layer holding yastack.api: the boot layer when run from bin/yastack. */
    private static ModuleLayer hostLayer() {
        ModuleLayer l = PluginsCommand.class.getModule().getLayer();
        return l == null ? ModuleLayer.boot() : l;
    }

    static void print(PluginRegistry registry, PrintStream out) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"NAME", "KIND", "MODULE", "VERSION", "JAR"});
        for (PluginInfo p : registry.plugins()) {
            rows.add(new String[] {p.name(), p.kind().label(), p.module(), p.version().isEmpty() ? "-" : p.version(),
                    (p.builtIn() ? "built-in: " : "") + p.location()});
        }
        int[] width = new int[5];
        for (String[] r : rows) for (int i = 0; i < r.length; i++) width[i] = Math.max(width[i], r[i].length());
        if (rows.size() == 1) {
            out.println("no plugins found");
        } else {
            for (String[] r : rows) {
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < r.length; i++) {
                    sb.append(r[i]);
                    if (i < r.length - 1) sb.append(" ".repeat(width[i] - r[i].length() + 2));
                }
                out.println(sb);
            }
        }
        List<PluginProblem> problems = registry.problems();
        if (!problems.isEmpty()) {
            out.println();
            out.println("problems (" + problems.size() + "):");
            for (PluginProblem p : problems) out.println("  " + p.location() + ": " + p.message());
        }
    }
}
