package yastack.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.util.List;
import yastack.proxy.Http1Grammar.Malformed;

/**
 * What an HTTP/1.1 request decoder and a response decoder share: the message body as RFC 9112
 * 6-7 frames it (a fixed length, chunks with extensions and trailers, or everything until the
 * connection closes), emitted as Netty's content pieces. A subclass reads the heads and picks
 * the framing. Line ends follow the subclass's dialect: requests take CRLF only; a response
 * may end a line with a bare LF, which RFC 9112 2.2 lets a recipient accept and which upstream
 * servers send.
 */
abstract class Http1BodyDecoder extends ByteToMessageDecoder {
    private static final int MAX_CHUNK_LINE = 4096;

    enum State { HEAD, FIXED, CHUNK_SIZE, CHUNK_DATA, CHUNK_END, TRAILERS, UNTIL_CLOSE, SWITCHED, BAD }

    private final boolean bareLf;
    private final int maxTrailerBytes;
    private final int maxPieceBytes;
    State state = State.HEAD;
    private long remaining;

    Http1BodyDecoder(boolean bareLf, int maxTrailerBytes, int maxPieceBytes) {
        this.bareLf = bareLf;
        this.maxTrailerBytes = maxTrailerBytes;
        this.maxPieceBytes = maxPieceBytes;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        State at = state;
        try {
            switch (state) {
                case HEAD -> decodeHead(ctx, in, out);
                case FIXED -> decodeFixed(in, out);
                case CHUNK_SIZE -> decodeChunkSize(in);
                case CHUNK_DATA -> decodeChunkData(in, out);
                case CHUNK_END -> decodeChunkEnd(in);
                case TRAILERS -> decodeTrailers(in, out);
                case UNTIL_CLOSE -> decodeUntilClose(in, out);
                case SWITCHED, BAD -> in.skipBytes(in.readableBytes());
            }
        } catch (Malformed e) {
            state = State.BAD;
            in.skipBytes(in.readableBytes());
            malformed(ctx, e, at == State.HEAD, out);
        }
    }

    /** Reads a head, if all of it is in, and emits it with {@link #frame}'s choice of body. */
    abstract void decodeHead(ChannelHandlerContext ctx, ByteBuf in, List<Object> out);

    /** The message is refused ({@link #state} is BAD from now on); {@code inHead}: before its head was emitted. */
    abstract void malformed(ChannelHandlerContext ctx, Malformed cause, boolean inHead, List<Object> out);

    /** The body that follows the head just read: {@code length} bytes (0: none), or chunked, or until the close. */
    final void expectFixed(long length) {
        remaining = length;
        state = length > 0 ? State.FIXED : State.HEAD;
    }

    final void expectChunked() {
        state = State.CHUNK_SIZE;
    }

    final void expectUntilClose() {
        state = State.UNTIL_CLOSE;
    }

    // ---- line ends

    /** Index of the terminator (CR of CRLF, or a bare LF where the dialect allows it) of the line at {@code from}; -1 if not yet in. */
    final int lineEnd(ByteBuf in, int from, int limit) {
        if (!bareLf) return Http1Grammar.findLineEnd(in, from, limit);
        int end = (int) Math.min(in.writerIndex(), (long) from + limit);
        int lf = in.indexOf(from, end, (byte) '\n');
        if (lf < 0) return -1;
        return lf > from && in.getByte(lf - 1) == '\r' ? lf - 1 : lf;
    }

    /** Index just after the terminator at {@code end}. */
    static int afterLine(ByteBuf in, int end) {
        return end + (in.getByte(end) == '\r' ? 2 : 1);
    }

    /** Index just after the empty line that ends a head or trailer section whose first line ends at {@code end}; -1 if not yet in. */
    final int sectionEnd(ByteBuf in, int end) {
        if (!bareLf) return Http1Grammar.findHeadEnd(in, end);
        int i = afterLine(in, end);
        while (true) {
            int next = lineEnd(in, i, Integer.MAX_VALUE);
            if (next < 0) return -1;
            if (next == i) return afterLine(in, next);
            i = afterLine(in, next);
        }
    }

    // ---- bodies

    private void decodeFixed(ByteBuf in, List<Object> out) {
        int n = (int) Math.min(Math.min(in.readableBytes(), maxPieceBytes), remaining);
        if (n == 0) return;
        ByteBuf piece = in.readRetainedSlice(n);
        remaining -= n;
        if (remaining == 0) {
            out.add(new DefaultLastHttpContent(piece, EmptyHttpHeaders.INSTANCE)); // no trailers after a fixed length
            state = State.HEAD;
        } else {
            out.add(new DefaultHttpContent(piece));
        }
    }

    private void decodeUntilClose(ByteBuf in, List<Object> out) {
        int n = Math.min(in.readableBytes(), maxPieceBytes);
        if (n > 0) out.add(new DefaultHttpContent(in.readRetainedSlice(n)));
    }

    /** chunk-size [ chunk-ext ] CRLF, with chunk-ext = *( BWS ";" BWS name [ BWS "=" BWS ( token / quoted-string ) ] ). */
    private void decodeChunkSize(ByteBuf in) {
        int start = in.readerIndex();
        int end = lineEnd(in, start, MAX_CHUNK_LINE);
        if (end < 0) {
            if (in.readableBytes() >= MAX_CHUNK_LINE) throw new Malformed("chunk size line too long");
            return;
        }
        int i = start;
        long size = 0;
        for (int digit; i < end && (digit = Http1Grammar.hexValue((char) (in.getByte(i) & 0xff))) >= 0; i++) {
            if (size > (Long.MAX_VALUE >> 4)) throw new Malformed("chunk size too large");
            size = (size << 4) | digit;
        }
        if (i == start) throw new Malformed("invalid chunk size");
        // Extensions are rare: only then is the line made into text for their grammar.
        if (i < end) Http1Grammar.checkChunkExtensions(in.toString(start, end - start, StandardCharsets.ISO_8859_1), i - start);
        in.readerIndex(afterLine(in, end));
        if (size == 0) {
            state = State.TRAILERS;
        } else {
            remaining = size;
            state = State.CHUNK_DATA;
        }
    }

    private void decodeChunkData(ByteBuf in, List<Object> out) {
        int n = (int) Math.min(Math.min(in.readableBytes(), maxPieceBytes), remaining);
        if (n == 0) return;
        out.add(new DefaultHttpContent(in.readRetainedSlice(n)));
        remaining -= n;
        if (remaining == 0) state = State.CHUNK_END;
    }

    private void decodeChunkEnd(ByteBuf in) {
        int at = in.readerIndex();
        if (!in.isReadable()) return;
        byte first = in.getByte(at);
        if (first == '\n' && bareLf) {
            in.skipBytes(1);
        } else if (first != '\r') {
            throw new Malformed("chunk data not followed by CRLF");
        } else if (in.readableBytes() < 2) {
            return;
        } else if (in.getByte(at + 1) != '\n') {
            throw new Malformed("chunk data not followed by CRLF");
        } else {
            in.skipBytes(2);
        }
        state = State.CHUNK_SIZE;
    }

    private void decodeTrailers(ByteBuf in, List<Object> out) {
        int start = in.readerIndex();
        int firstEnd = lineEnd(in, start, maxTrailerBytes + 2);
        if (firstEnd < 0) {
            if (in.readableBytes() > maxTrailerBytes + 2) throw new Malformed("trailer section too large");
            return;
        }
        if (firstEnd == start) {
            in.readerIndex(afterLine(in, firstEnd));
            out.add(LastHttpContent.EMPTY_LAST_CONTENT);
            state = State.HEAD;
            return;
        }
        int end = sectionEnd(in, firstEnd);
        if (end < 0) {
            if (in.readableBytes() > maxTrailerBytes + 2) throw new Malformed("trailer section too large");
            return;
        }
        if (end - start > maxTrailerBytes + 2) throw new Malformed("trailer section too large");
        FlatHttpHeaders trailers = new FlatHttpHeaders(0);
        FieldLines.parse(in, start, end, trailers, bareLf, true, 0);
        LastHttpContent last = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER, trailers);
        in.readerIndex(end);
        out.add(last);
        state = State.HEAD;
    }
}
