package yastack.proxy.overload;

import com.sun.management.GarbageCollectorMXBean;
import com.sun.management.GcInfo;
import io.netty.util.internal.PlatformDependent;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Reads how full the JVM's memory is. The heap is measured as it was right after the most
 * recent collection (any collector, young ones included): between collections "used" counts
 * garbage and would cross any watermark on its way to the next GC. Direct memory is Netty's
 * own counter (its buffers bypass the JDK's accounting) plus the JDK's direct buffer pool,
 * against Netty's limit (-XX:MaxDirectMemorySize, or the heap size by default).
 */
class MemorySampler {
    /** Heap as after the latest collection (current use before any), direct memory now, and their limits. */
    record Sample(long heapUsed, long heapMax, long directUsed, long directMax) {
        double heapRatio() {
            return heapMax <= 0 ? 0 : (double) heapUsed / heapMax;
        }

        double directRatio() {
            return directMax <= 0 ? 0 : (double) directUsed / directMax;
        }
    }

    private final Set<String> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(p -> p.getType() == MemoryType.HEAP).map(MemoryPoolMXBean::getName).collect(Collectors.toUnmodifiableSet());
    private final List<GarbageCollectorMXBean> collectors = ManagementFactory.getPlatformMXBeans(GarbageCollectorMXBean.class);
    private final BufferPoolMXBean directPool = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
            .filter(b -> b.getName().equals("direct")).findFirst().orElse(null);

    Sample sample() {
        long after = -1;
        long lastEnd = -1;
        for (GarbageCollectorMXBean gc : collectors) {
            GcInfo info = gc.getLastGcInfo();
            if (info == null || info.getEndTime() <= lastEnd) continue;
            lastEnd = info.getEndTime();
            after = heapOf(info.getMemoryUsageAfterGc());
        }
        if (after < 0) after = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        long netty = PlatformDependent.usedDirectMemory();
        long direct = Math.max(0, netty) + (directPool == null ? 0 : Math.max(0, directPool.getMemoryUsed()));
        return new Sample(after, Runtime.getRuntime().maxMemory(), direct, PlatformDependent.maxDirectMemory());
    }

    private long heapOf(Map<String, MemoryUsage> pools) {
        long used = 0;
        for (var e : pools.entrySet()) if (heapPools.contains(e.getKey())) used += e.getValue().getUsed();
        return used;
    }

    /** A collection now, so the next sample sees what is really live. */
    void collect() {
        System.gc();
    }
}
