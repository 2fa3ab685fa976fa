package yastack.api;

import java.nio.ByteBuffer;
import java.nio.charset.Charset;

/**
 * One piece of a streamed request or response body. Valid only during the
 * callback that received it; copy what you need to keep. The kernel backs it
 * with its own buffer without copying.
 */
public interface BodyChunk {
    /** Number of bytes in this chunk. */
    int length();

    /** A read-only view of the bytes (position 0, limit {@link #length()}). */
    ByteBuffer view();

    /** The bytes decoded with {@code charset}. */
    default String toString(Charset charset) {
        return charset.decode(view()).toString();
    }

    /** A copy of the bytes. */
    default byte[] toBytes() {
        ByteBuffer v = view();
        byte[] out = new byte[v.remaining()];
        v.get(out);
        return out;
    }

    /**
     * Replaces the content of this chunk with {@code data} (copied); later
     * filters and the peer see the new content. When a request body is
     * rewritten the filter must also fix {@code content-length} in the head
     * (or remove it for chunked transfer) before the head is sent.
     */
    void replace(ByteBuffer data);
}
