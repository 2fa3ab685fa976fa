package yastack.proxy.filter;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import yastack.api.BodyChunk;

/**
 * {@link BodyChunk} over a Netty {@link ByteBuf}. The chunk owns one reference
 * to the buffer: {@link #content()} hands it on (to write it), {@link #release()}
 * drops it. {@link #replace} swaps in a new buffer from the same allocator.
 */
public final class ByteBufBodyChunk implements BodyChunk {
    private ByteBuf buf;

    public ByteBufBodyChunk(ByteBuf buf) {
        this.buf = buf;
    }

    /** The current content (after any {@link #replace}); the caller takes over its reference. */
    public ByteBuf content() {
        return buf;
    }

    /** Releases the buffer (for chunks the chain discards). */
    public void release() {
        buf.release();
    }

    @Override
    public int length() {
        return buf.readableBytes();
    }

    @Override
    public ByteBuffer view() {
        return buf.nioBuffer(buf.readerIndex(), buf.readableBytes()).asReadOnlyBuffer();
    }

    @Override
    public void replace(ByteBuffer data) {
        ByteBuf next = buf.alloc().buffer(data.remaining());
        next.writeBytes(data.duplicate());
        buf.release();
        buf = next;
    }
}
