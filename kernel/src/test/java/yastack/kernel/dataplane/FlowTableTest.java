package yastack.kernel.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FlowTableTest {
    @Test
    void findsInsertsExpiresAndCountsOwners() {
        long s = 1_000_000_000L;
        FlowTable t = new FlowTable(1024, 2, 100 * s, 10 * s, 1 * s, 30 * s);
        Random rnd = new Random(1);
        List<long[]> flows = new ArrayList<>();
        for (int i = 0; i < 700; i++) {
            long key = FlowTable.key(rnd.nextInt(), rnd.nextInt(65536), rnd.nextInt(65536));
            int proto = i % 3 == 0 ? 17 : 6;
            if (t.find(proto, key) >= 0) continue;
            assertTrue(t.insert(proto, key, i & 1, 0) >= 0);
            flows.add(new long[] {key, proto, i & 1});
        }
        for (long[] f : flows) assertEquals((int) f[2], t.owner(t.find((int) f[1], f[0])));
        assertEquals(flows.size(), t.owned(0) + t.owned(1));
        // same tuple, other protocol: a different flow
        long[] f0 = flows.get(1);
        assertEquals(-1, t.find(f0[1] == 6 ? 17 : 6, f0[0]));
        // RST ages out first, FIN next, idle UDP, then idle TCP
        int rst = t.find((int) flows.get(1)[1], flows.get(1)[0]);
        t.touch(rst, 0, FlowTable.RST);
        Flow scratch = new Flow();
        List<Integer> closed = new ArrayList<>();
        sweepAll(t, 2 * s, scratch, closed);
        assertEquals(1, closed.size());
        assertEquals(-1, t.find((int) flows.get(1)[1], flows.get(1)[0]));
        sweepAll(t, 31 * s, scratch, closed);
        long udp = flows.stream().filter(f -> f[1] == 17).count();
        assertEquals(1 + udp - (flows.get(1)[1] == 17 ? 1 : 0), closed.size());
        for (long[] f : flows) {
            if (f[1] == 6 && f != flows.get(1)) assertTrue(t.find(6, f[0]) >= 0, "TCP flow lost with the UDP ones");
        }
        sweepAll(t, 101 * s, scratch, closed);
        assertEquals(0, t.size());
        assertEquals(0, t.owned(0) + t.owned(1));
    }

    private static void sweepAll(FlowTable t, long now, Flow scratch, List<Integer> closed) {
        for (int i = 0; i < 100; i++) t.sweep(now, 64, scratch, f -> closed.add(f.protocol()));
    }

    @Test
    void refusesWhenFull() {
        FlowTable t = new FlowTable(16, 1, 1, 1, 1, 1);
        int inserted = 0;
        for (int i = 0; i < 100; i++) {
            if (t.insert(6, FlowTable.key(i, 1, 2), 0, 0) >= 0) inserted++;
        }
        assertTrue(inserted >= 16 && inserted < 100, "inserted " + inserted);
    }
}
