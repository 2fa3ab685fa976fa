package yastack.stack.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import yastack.stack.Clock;

/**
 * Two stacks over an in-memory link on one thread. {@code bulk}: one op = one round of the link, which moves up to a
 * window of data; the {@code bytes} secondary result is the application-to-application payload rate in bytes/s
 * (Gbit/s = bytes * 8e-9). {@code requestResponse}: one op = a 64-byte request and its 64-byte response.
 * Run with {@code -prof gc} to see the allocation rate of the data/ACK path (expected ~0 B/op).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class StackBench {
    public static final int CHUNK = 64 * 1024;
    private MemLink.Bulk bulk;
    private MemLink.RequestResponse rr;

    @Setup
    public void setup() {
        bulk = new MemLink.Bulk(new MemLink(1500, 1 << 20, Clock.SYSTEM));
        rr = new MemLink.RequestResponse(new MemLink(1500, 256 * 1024, Clock.SYSTEM), 64);
    }

    /** Reported per second by JMH next to the op rate. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Payload {
        public long bytes;
    }

    @Benchmark
    public long bulk(Payload p) {
        long n = bulk.transfer(CHUNK);
        p.bytes += n;
        return n;
    }

    @Benchmark
    @OperationsPerInvocation(1)
    public long requestResponse() {
        rr.transaction();
        return rr.responses;
    }
}
