package yastack.proxy.bench;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import yastack.kernel.stats.Counter;
import yastack.kernel.stats.StatsStore;

/**
 * Two workers counting the same stat, each in its own cell, at the same time: {@code cells}
 * through {@link StatsStore} (the cells made one after the other, as the store keeps them),
 * {@code neighbours} on two adjacent longs of one array, the layout a cell without its
 * padding can end up in after a collection. Needs two free cores:
 * {@code bench/jmh.sh kernel/proxy StatsCellBench}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Group)
public class StatsCellBench {
    private final StatsStore store = new StatsStore(2);
    private final Counter worker0 = store.worker(0).counter("cluster.up.upstream_rq_total");
    private final Counter worker1 = store.worker(1).counter("cluster.up.upstream_rq_total");
    private final AtomicLongArray adjacent = new AtomicLongArray(2);

    @Benchmark
    @Group("cells")
    public void cellOfWorker0() {
        worker0.inc();
    }

    @Benchmark
    @Group("cells")
    public void cellOfWorker1() {
        worker1.inc();
    }

    @Benchmark
    @Group("neighbours")
    public void slot0() {
        adjacent.setOpaque(0, adjacent.getOpaque(0) + 1);
    }

    @Benchmark
    @Group("neighbours")
    public void slot1() {
        adjacent.setOpaque(1, adjacent.getOpaque(1) + 1);
    }
}
