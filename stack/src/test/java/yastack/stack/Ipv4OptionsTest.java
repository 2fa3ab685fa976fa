package yastack.stack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/**
 * What the options of a reply say ({@link LinuxDifferentialTest} compares only their length
 * with Linux's) and where a parameter problem points (RFC 791 3.1, RFC 1122 3.2.2.5).
 */
class Ipv4OptionsTest {
    private static final int SELF = Wire.parseIp("10.0.0.2");
    private static final int OTHER = Wire.parseIp("10.0.0.9");
    private static final int NOW = 12_345_678; // ms since midnight UT

    /** A 20-byte header (its fields do not matter here) followed by {@code options}. */
    private static MemorySegment header(int... options) {
        byte[] h = new byte[20 + options.length];
        for (int i = 0; i < options.length; i++) h[20 + i] = (byte) options[i];
        return MemorySegment.ofArray(h);
    }

    private static int check(int... options) {
        return Ipv4Options.check(header(options), 0, 20 + options.length);
    }

    private static byte[] reply(int... options) {
        return Ipv4Options.forReply(header(options), 0, 20 + options.length, SELF, NOW);
    }

    private static int[] ip(int a) {
        return new int[] {a >>> 24, a >>> 16 & 0xff, a >>> 8 & 0xff, a & 0xff};
    }

    private static byte[] bytes(int... b) {
        byte[] o = new byte[b.length];
        for (int i = 0; i < b.length; i++) o[i] = (byte) b[i];
        return o;
    }

    @Test
    void malformedOptionsPointAtTheOffendingByte() {
        assertEquals(Ipv4Options.OK, check(1, 1, 0, 0));
        assertEquals(Ipv4Options.OK, check(136, 4, 0, 1)); // stream id: ignored
        assertEquals(20, check(148, 12, 0, 0)); // longer than what is left
        assertEquals(20, check(7, 1, 0, 0)); // length below 2
        assertEquals(21, check(7, 2, 0, 0)); // record route too short for its pointer
        assertEquals(22, check(7, 7, 3, 0, 0, 0, 0, 0)); // pointer below 4
        assertEquals(22, check(7, 9, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0)); // a slot that does not fit
        assertEquals(23, check(7, 3, 4, 7, 3, 4, 0, 0)); // a second record route
        assertEquals(22, check(68, 8, 4, 0, 0, 0, 0, 0)); // timestamp pointer below 5
        assertEquals(23, check(68, 4, 5, 0xf0)); // full, overflowed 15 times
        assertEquals(22, check(68, 8, 5, 1, 0, 0, 0, 0)); // address and time do not fit
        assertEquals(21, check(148, 2, 0, 0)); // router alert too short
        assertEquals(Ipv4Options.SOURCE_ROUTED, check(131, 7, 4, 10, 9, 9, 9, 0));
        assertEquals(Ipv4Options.SOURCE_ROUTED, check(137, 7, 4, 10, 9, 9, 9, 0));
        assertEquals(22, check(131, 7, 3, 10, 9, 9, 9, 0));
        assertEquals(Ipv4Options.OK, check(0, 7, 1, 0)); // nothing after end-of-options is read
    }

    @Test
    void recordRouteGetsOurAddressOnTheWayInAndOut() {
        int[] s = ip(SELF);
        assertArrayEquals(bytes(7, 11, 12, s[0], s[1], s[2], s[3], s[0], s[1], s[2], s[3], 0), reply(7, 11, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0));
        // one free slot: the way in takes it
        assertArrayEquals(bytes(7, 7, 8, s[0], s[1], s[2], s[3], 0), reply(7, 7, 4, 0, 0, 0, 0, 0));
        assertNull(reply(1, 136, 4, 0, 1, 0, 0, 0));
    }

    @Test
    void timestampsAreOursInEachForm() {
        int[] t = ip(NOW);
        int[] s = ip(SELF);
        int[] o = ip(OTHER);
        assertArrayEquals(bytes(68, 12, 13, 0, t[0], t[1], t[2], t[3], t[0], t[1], t[2], t[3]), reply(68, 12, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0));
        assertArrayEquals(bytes(68, 20, 21, 1, s[0], s[1], s[2], s[3], t[0], t[1], t[2], t[3], s[0], s[1], s[2], s[3], t[0], t[1], t[2], t[3]),
                reply(68, 20, 5, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
        // prespecified: only where the address is ours
        assertArrayEquals(bytes(68, 20, 13, 3, s[0], s[1], s[2], s[3], t[0], t[1], t[2], t[3], o[0], o[1], o[2], o[3], 0, 0, 0, 0),
                reply(68, 20, 5, 3, s[0], s[1], s[2], s[3], 0, 0, 0, 0, o[0], o[1], o[2], o[3], 0, 0, 0, 0));
        // full: one more overflow (the way in), no entry
        assertArrayEquals(bytes(68, 4, 5, 0x31), reply(68, 4, 5, 0x21));
    }

    @Test
    void bothComeBackRecordRouteFirstPaddedToAWord() {
        byte[] r = reply(68, 8, 5, 0, 0, 0, 0, 0, 7, 7, 4, 0, 0, 0, 0, 0);
        assertEquals(16, r.length);
        assertEquals(7, r[0]);
        assertEquals(68, r[7]);
        assertEquals(0, r[15]);
        // an error about a bad option carries back only what came before it
        MemorySegment h = header(7, 3, 4, 7, 3, 4, 0, 0);
        assertArrayEquals(bytes(7, 3, 4, 0), Ipv4Options.forReply(h, 0, 23, SELF, NOW));
    }
}
