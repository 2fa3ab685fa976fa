package yastack.scripting.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FlowTableTest {
    record Key(long a, long b) {}

    @Test
    void behavesLikeAMapUnderRandomInsertsLookupsAndRemovals() {
        FlowTable t = new FlowTable(16);
        Map<Key, Integer> model = new HashMap<>();
        SplittableRandom rnd = new SplittableRandom(42);
        for (int i = 0; i < 200_000; i++) {
            // A small key space forces collisions, long probe chains and backward shifts.
            Key k = new Key(FlowTable.a(rnd.nextInt(64), rnd.nextInt(4)), FlowTable.b(6, rnd.nextInt(32), 80));
            switch (rnd.nextInt(3)) {
                case 0 -> {
                    int w = rnd.nextInt(8);
                    t.put(k.a(), k.b(), w);
                    model.put(k, w);
                }
                case 1 -> assertEquals(model.remove(k) != null, t.remove(k.a(), k.b()));
                default -> assertEquals(model.getOrDefault(k, -1), t.get(k.a(), k.b()));
            }
            assertEquals(model.size(), t.size());
        }
        for (Map.Entry<Key, Integer> e : model.entrySet()) assertEquals(e.getValue(), t.get(e.getKey().a(), e.getKey().b()));
    }

    @Test
    void keysKeepEveryTupleFieldApart() {
        FlowTable t = new FlowTable(16);
        t.put(FlowTable.a(1, 2), FlowTable.b(6, 3, 4), 1);
        assertEquals(-1, t.get(FlowTable.a(2, 1), FlowTable.b(6, 3, 4)));
        assertEquals(-1, t.get(FlowTable.a(1, 2), FlowTable.b(17, 3, 4)));
        assertEquals(-1, t.get(FlowTable.a(1, 2), FlowTable.b(6, 4, 3)));
        assertEquals(-1, t.get(FlowTable.a(-1, 2), FlowTable.b(6, 3, 4)));
        assertEquals(1, t.get(FlowTable.a(1, 2), FlowTable.b(6, 3, 4)));
    }
}
