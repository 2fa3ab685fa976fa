package yastack.kernel.dataplane;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * ARP across shards. Every shard of an interface has its own neighbour cache and resolves
 * the neighbours its own connections need, but an ARP reply comes back on one queue only
 * (non-IP frames hash to 0, i.e. worker 0), possibly not the asking shard's. So every ARP
 * frame except a request for our own address is given to every shard: each learns the
 * mapping (replies resolve its pending lookups, gratuitous ARP refreshes its entries). A
 * request for our address goes to one shard only, so the peer gets one answer.
 */
final class ArpFrames {
    static final ValueLayout.OfShort BE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final ValueLayout.OfInt BE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private ArpFrames() {
    }

    static boolean isArp(MemorySegment f, long off, int len) {
        return len >= 42 && (f.get(BE_SHORT, off + 12) & 0xffff) == 0x0806;
    }

    /** For an ARP frame: whether all shards should see it (true), or just one (a request for {@code ourAddress}). */
    static boolean forAllShards(MemorySegment f, long off, int ourAddress) {
        int op = f.get(BE_SHORT, off + 20) & 0xffff;
        int target = f.get(BE_INT, off + 38);
        return !(op == 1 && target == ourAddress);
    }
}
