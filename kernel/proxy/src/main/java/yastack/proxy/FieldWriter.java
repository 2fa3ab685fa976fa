package yastack.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;

/**
 * Writes a {@link FlatHttpHeaders}' fields for the wire: a parsed value still in its head's
 * bytes is copied from them as it is, any other as US-ASCII text.
 */
final class FieldWriter {
    private FieldWriter() {}

    /**
     * Writes the fields as Netty's encoder does (name ": " value CRLF, text as US-ASCII), with no
     * cursor object, into a buffer the caller sized with {@link #encodedLength} (it grows if not).
     */
    static void encode(FlatHttpHeaders h, ByteBuf buf) {
        byte[] raw = h.raw();
        for (int i = 0, n = h.size(); i < n; i++) {
            CharSequence name = h.nameAt(i);
            CharSequence value = h.valueObjectAt(i);
            int span = h.rawSpan(i);
            writeAscii(buf, name);
            buf.writeShort(COLON_SP);
            if (value != null) writeAscii(buf, value);
            else buf.writeBytes(raw, span >>> 16, span & 0xffff);
            buf.writeShort(CRLF);
        }
    }

    /**
     * Writes the fields as {@link #encode(FlatHttpHeaders, ByteBuf)} does, into {@code to} from {@code at} (the caller made
     * room: {@link #encodedLength}), and returns where they end: plain array copies, where each
     * write to a buffer checks its bounds and whether it is still accessible.
     */
    static int encode(FlatHttpHeaders h, byte[] to, int at) {
        byte[] raw = h.raw();
        for (int i = 0, n = h.size(); i < n; i++) {
            CharSequence value = h.valueObjectAt(i);
            at = putAscii(h.nameAt(i), to, at);
            to[at++] = ':';
            to[at++] = ' ';
            if (value != null) {
                at = putAscii(value, to, at);
            } else {
                int span = h.rawSpan(i);
                int length = span & 0xffff;
                System.arraycopy(raw, span >>> 16, to, at, length);
                at += length;
            }
            to[at++] = '\r';
            to[at++] = '\n';
        }
        return at;
    }

    /** {@code text} as {@link #writeAscii} writes it (a char past 0xff as '?', as Netty does). */
    private static int putAscii(CharSequence text, byte[] to, int at) {
        if (text instanceof AsciiString a) {
            System.arraycopy(a.array(), a.arrayOffset(), to, at, a.length());
            return at + a.length();
        }
        if (text instanceof String s) { // typed, so charAt is inlined rather than called per character
            for (int i = 0, n = s.length(); i < n; i++) to[at++] = AsciiString.c2b(s.charAt(i));
            return at;
        }
        for (int i = 0, n = text.length(); i < n; i++) to[at++] = AsciiString.c2b(text.charAt(i));
        return at;
    }

    /** The bytes {@link #encode(FlatHttpHeaders, ByteBuf)} writes. */
    static int encodedLength(FlatHttpHeaders h) {
        int length = 0;
        for (int i = 0, n = h.size(); i < n; i++) {
            CharSequence value = h.valueObjectAt(i);
            length += h.nameAt(i).length() + (value != null ? value.length() : h.rawSpan(i) & 0xffff) + 4;
        }
        return length;
    }

    private static final int COLON_SP = ':' << 8 | ' ';
    private static final int CRLF = '\r' << 8 | '\n';

    private static void writeAscii(ByteBuf buf, CharSequence text) {
        if (text instanceof AsciiString a) buf.writeBytes(a.array(), a.arrayOffset(), a.length());
        else buf.writeCharSequence(text, StandardCharsets.US_ASCII);
    }
}
