package yastack.kernel.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

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
}
