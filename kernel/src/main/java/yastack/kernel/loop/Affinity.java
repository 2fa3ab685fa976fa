package yastack.kernel.loop;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import yastack.kernel.util.Logs;

/** Pins the calling thread to one CPU with sched_setaffinity(2), through FFM. */
public final class Affinity {
    private static final System.Logger LOG = Logs.get("yastack");
    private static final MethodHandle SET_AFFINITY;

    static {
        MethodHandle h = null;
        try {
            Linker linker = Linker.nativeLinker();
            h = linker.downcallHandle(linker.defaultLookup().find("sched_setaffinity").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS));
        } catch (RuntimeException | Error e) {
            LOG.log(System.Logger.Level.WARNING, "CPU pinning unavailable: " + e);
        }
        SET_AFFINITY = h;
    }

    private Affinity() {}

    /** @return true when the calling thread is now bound to {@code cpu} */
    public static boolean pinCurrentThread(int cpu) {
        if (SET_AFFINITY == null || cpu < 0 || cpu >= 1024) return false;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mask = arena.allocate(128); // cpu_set_t: 1024 bits
            mask.set(ValueLayout.JAVA_BYTE, cpu / 8, (byte) (1 << (cpu % 8)));
            int rc = (int) SET_AFFINITY.invokeExact(0, 128L, mask);
            return rc == 0;
        } catch (Throwable t) {
            return false;
        }
    }
}
