package yastack.kernel.io.rss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static yastack.kernel.fixtures.Frames.BE16;
import static yastack.kernel.fixtures.Frames.ip;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;
import yastack.kernel.io.MacAddress;
import yastack.kernel.fixtures.Frames;

class FrameHasherTest {
    private final Toeplitz t = Toeplitz.symmetric();
    private final FrameHasher hasher = new FrameHasher(t);
    private final MacAddress a = MacAddress.parse("02:00:00:00:00:01");
    private final MacAddress b = MacAddress.parse("02:00:00:00:00:02");

    @Test
    void udpFramesHashTheirFourTupleSymmetrically() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment f = arena.allocate(128);
            int len = Frames.udp(f, 0, b, a, ip(10, 1, 2, 3), ip(192, 168, 9, 9), 40000, 53, 1, 8);
            int h = hasher.hash(f, 0, len);
            assertEquals(t.hashIpv4(ip(10, 1, 2, 3), ip(192, 168, 9, 9), 40000, 53), h);
            len = Frames.udp(f, 0, a, b, ip(192, 168, 9, 9), ip(10, 1, 2, 3), 53, 40000, 1, 8);
            assertEquals(h, hasher.hash(f, 0, len), "reply must hash like the request");
        }
    }

    @Test
    void fragmentsHashAddressesOnlyAndNonIpHashesToZero() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment f = arena.allocate(128);
            int len = Frames.udp(f, 0, b, a, ip(10, 1, 2, 3), ip(10, 4, 5, 6), 1, 2, 1, 8);
            f.set(BE16, 14 + 6, (short) 0x2000); // more fragments: ports may not be there
            assertEquals(t.hashIpv4(ip(10, 1, 2, 3), ip(10, 4, 5, 6)), hasher.hash(f, 0, len));
            f.set(BE16, 12, (short) 0x0806); // ARP
            assertEquals(0, hasher.hash(f, 0, len));
            assertEquals(0, hasher.hash(f, 0, 10)); // runt
        }
    }

    @Test
    void vlanTaggedFramesHashTheInnerPacket() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment plain = arena.allocate(128);
            int len = Frames.udp(plain, 0, b, a, ip(10, 1, 2, 3), ip(10, 4, 5, 6), 1111, 2222, 1, 8);
            MemorySegment tagged = arena.allocate(132);
            MemorySegment.copy(plain, 0, tagged, 0, 12);
            tagged.set(BE16, 12, (short) 0x8100);
            tagged.set(BE16, 14, (short) 42);
            MemorySegment.copy(plain, 12, tagged, 16, len - 12);
            assertEquals(hasher.hash(plain, 0, len), hasher.hash(tagged, 0, len + 4));
            assertEquals(t.hashIpv4(ip(10, 1, 2, 3), ip(10, 4, 5, 6), 1111, 2222), hasher.hash(tagged, 0, len + 4));
            tagged.set(ValueLayout.JAVA_BYTE, 18, (byte) 0x65); // IPv6-looking version nibble: not hashed as IPv4
            assertEquals(0, hasher.hash(tagged, 0, len + 4));
        }
    }
}
