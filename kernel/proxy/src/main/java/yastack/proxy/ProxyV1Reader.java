package yastack.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.haproxy.HAProxyProtocolException;
import io.netty.util.ReferenceCountUtil;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * Reads a PROXY protocol v1 (text) header itself, in front of Netty's decoder, which is left the v2
 * (binary) form, and refuses whatever is neither. Netty's v1 reading differs from HAProxy's in two ways a balancer in front can hit:
 * it refuses IPv6 addresses with an IPv4 tail other than {@code ::ffff:a.b.c.d} (so
 * {@code 2001:db8::192.0.2.11}, which inet_pton and HAProxy take, closed the connection), and it let
 * a line longer than the spec's 107 bytes through when it came in one read but not in pieces (the
 * same bytes must get the same answer). The line is held here until its CRLF, at most 107 bytes.
 */
final class ProxyV1Reader extends ChannelInboundHandlerAdapter {
    /** A v1 header read: the client it names, or null (UNKNOWN: the peer stands). */
    record Header(InetSocketAddress source) {}

    private static final byte[] PREFIX = "PROXY ".getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_LINE = 107;

    private final String decoderName;
    private final byte[] line = new byte[MAX_LINE];
    private int seen;
    private boolean refused;

    /** {@code decoderName}: Netty's decoder behind this handler, taken out once a v1 header is read. */
    ProxyV1Reader(String decoderName) {
        this.decoderName = decoderName;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (refused || !(msg instanceof ByteBuf b)) {
            if (refused) ReferenceCountUtil.release(msg);
            else ctx.fireChannelRead(msg);
            return;
        }
        for (int i = b.readerIndex(); i < b.writerIndex(); i++) {
            byte c = b.getByte(i);
            if (seen < PREFIX.length && c != PREFIX[seen]) {
                if (seen == 0 && c == '\r') { // v2's signature starts with CRLF: Netty's decoder reads it
                    ctx.pipeline().remove(this);
                    ctx.fireChannelRead(b);
                } else {
                    refuse(ctx, b, "not a PROXY protocol header");
                }
                return;
            }
            line[seen++] = c;
            if (c == '\n' && seen >= 2 && line[seen - 2] == '\r') { // a bare LF does not end it
                Header h = parse(line, seen - 2);
                if (h == null) {
                    refuse(ctx, b, "malformed v1 header");
                } else {
                    b.readerIndex(i + 1);
                    read(ctx, h, b);
                }
                return;
            }
            if (seen == MAX_LINE) {
                refuse(ctx, b, "v1 header line longer than 107 bytes");
                return;
            }
        }
        b.release(); // held in line until the CRLF
    }

    private void read(ChannelHandlerContext ctx, Header h, ByteBuf rest) {
        ctx.pipeline().remove(decoderName);
        // Still in the pipeline while the header and the bytes after it go on: the header's reader
        // sets up the rest of the pipeline behind this handler, and the bytes must reach it.
        ctx.fireChannelRead(h);
        if (rest.isReadable()) ctx.fireChannelRead(rest);
        else rest.release();
        ctx.pipeline().remove(this);
    }

    private void refuse(ChannelHandlerContext ctx, ByteBuf b, String why) {
        refused = true;
        b.release();
        ctx.fireExceptionCaught(new HAProxyProtocolException(why));
    }

    /** The line without its CRLF: "PROXY UNKNOWN[ anything]" or "PROXY TCP4|TCP6 src dst sport dport". */
    static Header parse(byte[] line, int length) {
        String text = new String(line, 0, length, StandardCharsets.ISO_8859_1);
        if (text.equals("PROXY UNKNOWN") || text.startsWith("PROXY UNKNOWN ")) return new Header(null);
        String[] f = text.split(" ", -1);
        if (f.length != 6 || !(f[1].equals("TCP4") || f[1].equals("TCP6"))) return null;
        boolean v4 = f[1].equals("TCP4");
        InetAddress src = address(f[2], v4);
        InetAddress dst = address(f[3], v4);
        int sport = port(f[4]);
        int dport = port(f[5]);
        if (src == null || dst == null || sport < 0 || dport < 0) return null;
        return new Header(new InetSocketAddress(src, sport));
    }

    /** A dotted quad without leading zeros (inet_pton's IPv4 form), or RFC 4291's IPv6 text forms. */
    private static InetAddress address(String s, boolean v4) {
        if (s.isEmpty() || s.length() > 45) return null;
        try {
            if (v4) return dottedQuad(s) ? Inet4Address.ofLiteral(s) : null;
            int group = 0;
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c == ':') group = 0;
                else if (c == '.') group = Integer.MIN_VALUE; // an IPv4 tail: its own rules below
                else if (Character.digit(c, 16) < 0 || ++group > 4) return null; // no zone, brackets or long groups
            }
            return s.indexOf(':') < 0 ? null : Inet6Address.ofLiteral(s);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static boolean dottedQuad(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) return false;
        for (String p : parts) {
            long octet = p.length() > 3 || (p.length() > 1 && p.charAt(0) == '0') ? -1 : Http1Grammar.digits(p);
            if (octet < 0 || octet > 255) return false;
        }
        return true;
    }

    /** 0 to 65535 in decimal, as the spec has it; -1 if not. */
    private static int port(String s) {
        long p = s.length() > 5 ? -1 : Http1Grammar.digits(s);
        return p <= 65535 ? (int) p : -1;
    }
}
