package yastack.proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import yastack.kernel.stats.Counter;

/**
 * Coverage-guided fuzzing (Jazzer) of the PROXY protocol reader a listener with
 * {@code proxy_protocol: true} puts first in every connection's pipeline. For any first bytes:
 * nothing escapes; the connection is either refused (closed, counted, nothing passed on) or its header
 * is accepted and every byte after it reaches the rest of the pipeline unchanged; a header this test
 * reads on its own (v1 text, v2 binary) is accepted with the client address it names; and the outcome
 * does not depend on how TCP cut the bytes.
 * Seeds: {@code src/test/resources/yastack/proxy/ProxyProtocolFuzzTestInputs/readsHeaderOrRefuses/}.
 */
class ProxyProtocolFuzzTest {
    private static final byte[] V2_SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

    /** What a connection did with the bytes: refused, or accepted with the client address and what followed. */
    record Outcome(boolean refused, boolean accepted, InetSocketAddress client, byte[] passedOn) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Outcome x && x.refused == refused && x.accepted == accepted
                    && Objects.equals(x.client, client) && Arrays.equals(x.passedOn, passedOn);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(passedOn);
        }

        @Override
        public String toString() {
            return (refused ? "refused" : accepted ? "accepted " + client + " then " + passedOn.length + " bytes" : "waiting");
        }
    }

    @FuzzTest(maxDuration = "60s", maxExecutions = 150000)
    void readsHeaderOrRefuses(byte[] input) {
        Outcome whole = feed(input, input.length);
        int piece = 1 + (input.length == 0 ? 0 : (input[input.length - 1] & 15));
        assertEquals(whole, feed(input, piece), "outcome depends on how the bytes were cut (" + piece + " at a time)");
        Expected expected = Expected.of(input);
        if (whole.accepted) {
            assertTrue(expected.headerLength > 0, "accepted bytes this test does not read as a PROXY header");
            assertArrayEquals(Arrays.copyOfRange(input, expected.headerLength, input.length), whole.passedOn,
                    "the bytes after the header reach the pipeline unchanged");
            if (expected.source != null) assertEquals(expected.source, whole.client, "client address from the header");
        } else if (expected.headerLength > 0 && expected.valid) {
            assertFalse(whole.refused, "refused a well-formed header: " + new String(input, StandardCharsets.ISO_8859_1));
        }
    }

    private static Outcome feed(byte[] input, int piece) {
        Counter errors = new Counter();
        ByteArrayOutputStream passed = new ByteArrayOutputStream();
        boolean[] rest = new boolean[1];
        EmbeddedChannel ch = new EmbeddedChannel();
        ProxyProtocolReader.install(ch.pipeline(), errors, p -> {
            assertFalse(rest[0], "the rest of the pipeline is set up once");
            rest[0] = true;
            p.addLast(new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    ByteBuf b = (ByteBuf) msg;
                    byte[] a = new byte[b.readableBytes()];
                    b.getBytes(b.readerIndex(), a);
                    passed.writeBytes(a);
                    ReferenceCountUtil.release(msg);
                }
            });
        });
        try {
            for (int off = 0; off < input.length && ch.isOpen(); off += piece) {
                ch.writeInbound(Unpooled.wrappedBuffer(input, off, Math.min(piece, input.length - off)));
                ch.checkException();
            }
            assertNull(ch.readInbound(), "nothing reaches the end of the pipeline unhandled");
            boolean refused = !ch.isOpen();
            assertEquals(refused ? 1 : 0, errors.get(), "a refused connection is counted, once");
            assertFalse(refused && rest[0], "a refused connection never reaches the rest of the pipeline");
            InetSocketAddress client = rest[0] ? ProxyProtocolReader.clientAddress(ch) : null;
            return new Outcome(refused, rest[0], client, passed.toByteArray());
        } finally {
            ch.finishAndReleaseAll();
        }
    }

    /** An independent reading of a PROXY header: its length, whether it is well formed, the source it names. */
    record Expected(int headerLength, boolean valid, InetSocketAddress source) {
        static Expected of(byte[] in) {
            if (in.length >= 16 && Arrays.equals(Arrays.copyOf(in, 12), V2_SIGNATURE)) return v2(in);
            if (in.length >= 6 && new String(in, 0, 6, StandardCharsets.US_ASCII).equals("PROXY ")) return v1(in);
            return new Expected(-1, false, null);
        }

        private static Expected v1(byte[] in) {
            int end = -1;
            // The spec allows 107 bytes with the CRLF, and so does the reader (however the bytes arrive).
            for (int i = 0; i + 1 < Math.min(in.length, 107); i++) {
                if (in[i] == '\r' && in[i + 1] == '\n') {
                    end = i;
                    break;
                }
            }
            if (end < 0) return new Expected(-1, false, null);
            String[] f = new String(in, 0, end, StandardCharsets.US_ASCII).split(" ", -1);
            if (f.length == 6 && (f[1].equals("TCP4") || f[1].equals("TCP6"))) {
                InetSocketAddress src = address(f[2], f[4], f[1].equals("TCP4"));
                InetSocketAddress dst = address(f[3], f[5], f[1].equals("TCP4"));
                return new Expected(end + 2, src != null && dst != null, src);
            }
            return new Expected(end + 2, false, null);
        }

        private static InetSocketAddress address(String ip, String port, boolean v4) {
            if (!port.matches("[1-9][0-9]{0,4}") || Integer.parseInt(port) > 65535) return null; // no port 0
            boolean dotted = ip.matches("(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}");
            if (v4 != dotted || (!v4 && !ip.matches("[0-9a-fA-F:.]{2,45}"))) return null;
            // RFC 4291 2.2: one to four hex digits a group (Java's parser also takes longer ones).
            if (!v4 && Arrays.stream(ip.split(":")).anyMatch(g -> g.length() > 4 && !g.contains("."))) return null;
            try {
                return new InetSocketAddress(v4 ? Inet4Address.ofLiteral(ip) : Inet6Address.ofLiteral(ip), Integer.parseInt(port));
            } catch (IllegalArgumentException e) {
                return null;
            }
        }

        private static Expected v2(byte[] in) {
            ByteBuffer b = ByteBuffer.wrap(in);
            int verCmd = in[12] & 0xff;
            int family = in[13] & 0xff;
            int len = b.getShort(14) & 0xffff;
            int total = 16 + len;
            boolean valid = (verCmd >>> 4) == 2 && (verCmd & 15) <= 1;
            InetSocketAddress src = null;
            try {
                if ((verCmd & 15) == 1 && family == 0x11 && len >= 12 && in.length >= 28) {
                    src = new InetSocketAddress(InetAddress.getByAddress(Arrays.copyOfRange(in, 16, 20)), b.getShort(24) & 0xffff);
                } else if ((verCmd & 15) == 1 && family == 0x21 && len >= 36 && in.length >= 52) {
                    src = new InetSocketAddress(InetAddress.getByAddress(Arrays.copyOfRange(in, 16, 32)), b.getShort(48) & 0xffff);
                } else if ((verCmd & 15) == 1 && family != 0x00) {
                    valid = false; // too short for its family, or one this test does not read (UDP, UNIX)
                }
            } catch (UnknownHostException e) {
                throw new AssertionError(e);
            }
            int tlvs = (verCmd & 15) == 1 && family == 0x11 ? 28 : (verCmd & 15) == 1 && family == 0x21 ? 52 : total;
            valid &= in.length >= total && tlvsWellFormed(b, tlvs, total);
            return new Expected(total, valid, src);
        }

        /** type(1) length(2) value, each ending inside [from, end); an SSL TLV (0x20) holds client(1) verify(4) and TLVs. */
        private static boolean tlvsWellFormed(ByteBuffer b, int from, int end) {
            for (int t = from; t < end; ) {
                if (t + 3 > end) return false;
                int type = b.get(t) & 0xff;
                int len = b.getShort(t + 1) & 0xffff;
                if (t + 3 + len > end) return false;
                if (type == 0x20 && (len < 5 || !tlvsWellFormed(b, t + 8, t + 3 + len))) return false;
                t += 3 + len;
            }
            return true;
        }
    }
}
