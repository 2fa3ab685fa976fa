package yastack.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.EncoderException;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.FastThreadLocal;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Writes the HTTP/1.1 messages of one connection: a head as its start line and fields in one
 * buffer sized to fit them, the body as it is (Content-Length), chunked (RFC 9112 7.1), or not
 * at all when the message can have none. A head written without a promise waits for the body's
 * first piece and takes it in when small, so a small message leaves in one buffer and one send,
 * not a gathering write of two; a flush or any other write lets it go first. Netty's encoders
 * copy the body only of a message that carries both, and go through a list and a promise
 * combiner per write. Subclasses write the start line and say which messages have no body.
 */
abstract class Http1Encoder {
    /** Bodies up to this size are copied behind their head rather than written as a second buffer. */
    static final int COPY_LIMIT = 2048;
    /** Room left behind a head that waits for its body: most bodies that small need no bigger buffer. */
    private static final int SMALL_BODY = 256;
    static final int CRLF = '\r' << 8 | '\n';
    private static final int INIT = 0, IDENTITY = 1, CHUNKED = 2, EMPTY = 3;
    private static final byte[] LAST_CHUNK = {'0', '\r', '\n'};

    private int state = INIT;
    /** A head not yet written, waiting for its body's first piece. */
    private ByteBuf pendingHead;

    /**
     * Readies {@code head} for the wire (its fields, and whatever its start line needs); true when
     * no body may follow it (whatever is written as one is dropped). Called first for each head.
     */
    abstract boolean bodiless(HttpMessage head);

    /** At most how many bytes {@link #writeStartLine} writes. */
    abstract int startLineSize(HttpMessage head);

    abstract void writeStartLine(ByteBuf buf, HttpMessage head);

    final void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        try {
            if (msg instanceof HttpMessage head) {
                writeHead(ctx, head, promise);
            } else if (msg instanceof HttpContent content) {
                writeContent(ctx, content.content(), content instanceof LastHttpContent last ? last : null, promise);
            } else if (msg instanceof ByteBuf bytes && state != INIT) {
                writeContent(ctx, bytes, null, promise);
            } else {
                // Raw bytes between messages (an empty buffer to wait on, a tunnel's first bytes).
                writePending(ctx);
                ctx.write(msg, promise);
            }
        } catch (RuntimeException e) {
            // as Netty's encoders do: the write fails (a void promise hands it to exceptionCaught)
            promise.tryFailure(new EncoderException(e));
        }
    }

    /** Writes a waiting head now: a flush or a change of pipeline is coming. */
    final void writePending(ChannelHandlerContext ctx) {
        ByteBuf head = pendingHead;
        if (head != null) {
            pendingHead = null;
            ctx.write(head, ctx.voidPromise());
        }
    }

    /** Lets go of a waiting head: the connection closes, and unflushed writes die with it. */
    final void discard() {
        if (pendingHead != null) {
            pendingHead.release();
            pendingHead = null;
        }
    }

    private void writeHead(ChannelHandlerContext ctx, HttpMessage m, ChannelPromise promise) {
        if (state != INIT) {
            ReferenceCountUtil.release(m);
            throw new IllegalStateException("a message head while the previous message's body is unfinished");
        }
        boolean empty = bodiless(m);
        state = empty ? EMPTY : m.headers().containsValue(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED, true) ? CHUNKED : IDENTITY;
        if (m instanceof FullHttpMessage full) {
            ByteBuf content = full.content();
            int copied = state == IDENTITY && content.readableBytes() <= COPY_LIMIT ? content.readableBytes() : 0;
            ByteBuf buf = encodeHead(ctx, m, copied);
            if (copied > 0) copy(content, buf);
            pendingHead = buf;
            writeContent(ctx, copied > 0 ? Unpooled.EMPTY_BUFFER : content.retain(), full, promise);
            full.release();
            return;
        }
        boolean waits = promise.isVoid() && state != EMPTY; // for its body's first piece
        ByteBuf buf = encodeHead(ctx, m, waits ? SMALL_BODY : 0);
        ReferenceCountUtil.release(m);
        if (waits) pendingHead = buf;
        else ctx.write(buf, promise);
    }

    /** One piece of the body ({@code last} set when it ends it); takes over {@code content}. */
    private void writeContent(ChannelHandlerContext ctx, ByteBuf content, LastHttpContent last, ChannelPromise promise) {
        if (state == INIT) {
            content.release();
            throw new IllegalStateException("content without a message head");
        }
        ByteBuf head = pendingHead;
        pendingHead = null;
        switch (state) {
            case IDENTITY -> {
                // Trailers need chunked framing; without it they are dropped, as a proxy may (RFC 9110 6.5.1).
                if (head != null && content.readableBytes() <= COPY_LIMIT) {
                    copy(content, head);
                    content.release();
                    ctx.write(head, promise);
                } else {
                    if (head != null) ctx.write(head, ctx.voidPromise());
                    writeOrComplete(ctx, content, promise);
                }
            }
            case CHUNKED -> writeChunk(ctx, head, content, last, promise);
            default -> { // no body may follow this head
                content.release();
                if (head != null) ctx.write(head, promise);
                else if (!promise.isVoid()) ctx.write(Unpooled.EMPTY_BUFFER, promise);
            }
        }
        if (last != null) state = INIT;
    }

    /** A chunk: its size line, its data, CRLF; after the last piece, the last chunk and any trailers. */
    private void writeChunk(ChannelHandlerContext ctx, ByteBuf head, ByteBuf content, LastHttpContent last, ChannelPromise promise) {
        int n = content.readableBytes();
        if (n == 0 && last == null) { // an empty piece is not the last chunk: it writes nothing of its own
            content.release();
            writeOrComplete(ctx, head != null ? head : Unpooled.EMPTY_BUFFER, promise);
            return;
        }
        boolean inline = n <= COPY_LIMIT;
        HttpHeaders trailers = last != null ? last.trailingHeaders() : null;
        int tail = last == null ? 0 : LAST_CHUNK.length + 2 + (trailers.isEmpty() ? 0 : fieldsLength(trailers));
        ByteBuf buf = head != null ? head : ctx.alloc().buffer(n == 0 ? tail : 10 + (inline ? n + 2 + tail : 0));
        if (n > 0) {
            buf.ensureWritable(10);
            ByteBufUtil.writeAscii(buf, Integer.toHexString(n));
            buf.writeShort(CRLF);
            if (inline) {
                copy(content, buf);
                buf.writeShort(CRLF);
                content.release();
            } else {
                ctx.write(buf, ctx.voidPromise());
                ctx.write(content, ctx.voidPromise());
                buf = ctx.alloc().buffer(2 + tail);
                buf.writeShort(CRLF);
            }
        } else {
            content.release();
        }
        if (last != null) {
            buf.ensureWritable(tail).writeBytes(LAST_CHUNK);
            if (!trailers.isEmpty()) encodeFields(buf, trailers);
            buf.writeShort(CRLF);
        }
        writeOrComplete(ctx, buf, promise);
    }

    /**
     * Appends {@code from}'s readable bytes (at most {@link #COPY_LIMIT}) to {@code to} through a
     * scratch array: Netty copies between two direct buffers through a fresh NIO view of each when
     * the source is a slice, as a body read from an upstream is (128 B of garbage per copy).
     */
    private static void copy(ByteBuf from, ByteBuf to) {
        int n = from.readableBytes();
        byte[] scratch = SCRATCH.get();
        from.getBytes(from.readerIndex(), scratch, 0, n);
        to.ensureWritable(n + 2).writeBytes(scratch, 0, n); // + 2: room for a chunk's CRLF
    }

    /** A body copied through it is at most {@link #COPY_LIMIT}; fields put in it, at most this. */
    private static final int SCRATCH_SIZE = 8192;
    /** Netty's thread-local: an index into the worker thread's own table, not a hash lookup. */
    private static final FastThreadLocal<byte[]> SCRATCH = new FastThreadLocal<>() {
        @Override
        protected byte[] initialValue() {
            return new byte[SCRATCH_SIZE];
        }
    };

    /** Writes {@code buf}; an empty one only when someone waits on the promise (nothing would go out). */
    private static void writeOrComplete(ChannelHandlerContext ctx, ByteBuf buf, ChannelPromise promise) {
        if (buf.isReadable() || !promise.isVoid()) ctx.write(buf, promise);
        else buf.release();
    }

    /** The start line and the fields, in a buffer with {@code extra} bytes to spare for the body. */
    private ByteBuf encodeHead(ChannelHandlerContext ctx, HttpMessage m, int extra) {
        HttpHeaders h = m.headers();
        int fields = fieldsLength(h);
        ByteBuf buf = ctx.alloc().buffer(startLineSize(m) + fields + 2 + extra);
        writeStartLine(buf, m);
        if (h instanceof FlatHttpHeaders flat && fields + 2 <= SCRATCH_SIZE) {
            // Fields and the empty line put in an array, then one copy into the buffer.
            byte[] scratch = SCRATCH.get();
            int end = FieldWriter.encode(flat, scratch, 0);
            scratch[end++] = '\r';
            scratch[end++] = '\n';
            buf.writeBytes(scratch, 0, end);
        } else {
            encodeFields(buf, h);
            buf.writeShort(CRLF);
        }
        return buf;
    }

    private static void encodeFields(ByteBuf buf, HttpHeaders h) {
        if (h instanceof FlatHttpHeaders flat) {
            FieldWriter.encode(flat, buf);
            return;
        }
        for (Map.Entry<CharSequence, CharSequence> e : (Iterable<Map.Entry<CharSequence, CharSequence>>) h::iteratorCharSequence) {
            buf.writeCharSequence(e.getKey(), StandardCharsets.US_ASCII);
            buf.writeByte(':').writeByte(' ');
            buf.writeCharSequence(e.getValue(), StandardCharsets.US_ASCII);
            buf.writeShort(CRLF);
        }
    }

    private static int fieldsLength(HttpHeaders h) {
        if (h instanceof FlatHttpHeaders flat) return FieldWriter.encodedLength(flat);
        int n = 0;
        for (Map.Entry<CharSequence, CharSequence> e : (Iterable<Map.Entry<CharSequence, CharSequence>>) h::iteratorCharSequence) {
            n += e.getKey().length() + e.getValue().length() + 4;
        }
        return n;
    }
}
