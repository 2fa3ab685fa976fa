package yastack.server.cli;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;
import yastack.stack.bench.StackThroughput;

/** {@code yastack bench}: in-process benchmarks. */
final class BenchCommand extends Subcommand {
    BenchCommand() {
        super("bench", "In-process benchmarks.");
    }

    @Override
    List<Subcommand> subcommands() {
        return List.of(new Stack());
    }

    @Override
    int run(CommandLine line) {
        usage(System.out);
        return 0;
    }

    static final class Stack extends Subcommand {
        Stack() {
            super("stack", "Two userspace TCP/IP stacks back to back in memory on one thread: bulk Gbit/s and "
                    + "64-byte request/response transactions/s (compare with Linux loopback, e.g. iperf3).");
        }

        @Override
        Options options() {
            return new Options()
                    .addOption(option("duration", "SECONDS", "per workload (default 5)"))
                    .addOption(flag("json", "print one JSON object"));
        }

        @Override
        int run(CommandLine line) {
            Map<String, Double> r = StackThroughput.measure(doubleValue(line, "duration", 5));
            if (line.hasOption("json")) {
                StringBuilder sb = new StringBuilder("{");
                r.forEach((k, v) -> sb.append(sb.length() > 1 ? "," : "").append('"').append(k).append("\":")
                        .append(String.format(Locale.ROOT, "%.3f", v)));
                System.out.println(sb.append('}'));
            } else {
                System.out.printf(Locale.ROOT, "bulk: %.2f Gbit/s%nrequest/response 64 B: %.0f transactions/s%n",
                        r.get("gbit_per_s"), r.get("rr_per_s"));
            }
            return 0;
        }
    }
}
