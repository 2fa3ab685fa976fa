package yastack.server.cli;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import yastack.stack.bench.StackThroughput;

@Command(name = "bench", mixinStandardHelpOptions = true, description = "In-process benchmarks.",
        subcommands = {BenchCommand.Stack.class})
final class BenchCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    @Command(name = "stack", mixinStandardHelpOptions = true,
            description = "Two userspace TCP/IP stacks back to back in memory on one thread: bulk Gbit/s and "
                    + "64-byte request/response transactions/s (compare with Linux loopback, e.g. iperf3).")
    static final class Stack implements Callable<Integer> {
        @Option(names = "--duration", paramLabel = "SECONDS", defaultValue = "5", description = "per workload (default 5)")
        double duration;

        @Option(names = "--json", description = "print one JSON object")
        boolean json;

        @Override
        public Integer call() {
            Map<String, Double> r = StackThroughput.measure(duration);
            if (json) {
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
