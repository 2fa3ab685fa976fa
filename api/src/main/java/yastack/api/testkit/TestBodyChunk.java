package yastack.api.testkit;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import yastack.api.BodyChunk;

/** A body chunk over a byte array, replaceable as the proxy's are. */
public final class TestBodyChunk implements BodyChunk {
    private byte[] data;

    public TestBodyChunk(String text) {
        this.data = text.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public int length() {
        return data.length;
    }

    @Override
    public ByteBuffer view() {
        return ByteBuffer.wrap(data).asReadOnlyBuffer();
    }

    @Override
    public void replace(ByteBuffer content) {
        data = new byte[content.remaining()];
        content.duplicate().get(data);
    }
}
