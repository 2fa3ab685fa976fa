package yastack.kernel.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class StatsStoreTest {
    @Test
    void eachWorkerWritesItsOwnCellAndAReadSumsThemWithoutLosingAnIncrement() throws Exception {
        StatsStore store = new StatsStore(2);
        Counter c0 = store.worker(0).counter("cluster.up.upstream_rq_total");
        Counter c1 = store.worker(1).counter("cluster.up.upstream_rq_total");
        assertSame(c0, store.worker(0).counter("cluster.up.upstream_rq_total"), "a worker asks once and keeps its cell");
        int n = 1_000_000;
        CountDownLatch go = new CountDownLatch(1);
        Thread[] writers = new Thread[2];
        Counter[] cells = {c0, c1};
        for (int w = 0; w < 2; w++) {
            Counter mine = cells[w];
            writers[w] = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < n; i++) mine.inc();
            });
            writers[w].start();
        }
        go.countDown();
        for (Thread t : writers) t.join(30_000);
        assertEquals(2L * n, store.value("cluster.up.upstream_rq_total"));
        assertEquals(2L * n, store.counterValues().get("cluster.up.upstream_rq_total"));
    }

    @Test
    void gaugesGoBothWaysAndAbsentNamesReadZero() {
        StatsStore store = new StatsStore(1);
        Counter g = store.worker(0).gauge("listener.web.downstream_cx_active");
        g.inc();
        g.inc();
        g.dec();
        assertEquals(1, store.value("listener.web.downstream_cx_active"));
        assertEquals(1L, store.gaugeValues().get("listener.web.downstream_cx_active"));
        assertEquals(0, store.value("no.such.stat"));
    }

    @Test
    void resetCountersReadsFromZeroWhileWorkersKeepTheirCells() {
        StatsStore store = new StatsStore(1);
        Counter c = store.worker(0).counter("http.web.downstream_rq_total");
        Counter g = store.worker(0).gauge("listener.web.downstream_cx_active");
        long[] plugin = {7};
        store.registerSource(() -> Map.of("plugin.x.hits", plugin[0]));
        store.registerComputed("stack.tcp.segments_in", () -> 40);
        c.add(5);
        g.add(2);
        store.resetCounters();
        assertEquals(0, store.value("http.web.downstream_rq_total"));
        assertEquals(0L, store.counterValues().get("plugin.x.hits"));
        assertEquals(0L, store.counterValues().get("stack.tcp.segments_in"));
        assertEquals(2, store.value("listener.web.downstream_cx_active"), "a gauge is not a counter");
        c.inc();
        plugin[0] = 9;
        assertEquals(1, store.value("http.web.downstream_rq_total"));
        assertEquals(1L, store.counterValues().get("http.web.downstream_rq_total"));
        assertEquals(2L, store.counterValues().get("plugin.x.hits"));
        plugin[0] = 3; // the plugin reloaded and counts again from 0: not a negative count
        assertEquals(3L, store.counterValues().get("plugin.x.hits"));
        assertEquals(6, c.get(), "the worker's own cell is never written from outside");
        assertEquals(6L, store.counterTotals().get("http.web.downstream_rq_total"), "totals count from the start");
    }
}
