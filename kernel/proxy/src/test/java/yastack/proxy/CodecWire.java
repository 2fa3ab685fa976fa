package yastack.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** An HTTP/1.1 codec in an {@link EmbeddedChannel}, written to as the proxy writes: void promises, then a flush. */
final class CodecWire {
    private CodecWire() {}

    static void write(EmbeddedChannel ch, Object msg) {
        ch.write(msg, ch.voidPromise());
    }

    /** Flushes, and returns the buffers handed to the socket since the last call, each as text. */
    static List<String> sent(EmbeddedChannel ch) {
        ch.flush();
        List<String> out = new ArrayList<>();
        ByteBuf b;
        while ((b = ch.readOutbound()) != null) {
            if (b.isReadable()) out.add(b.toString(StandardCharsets.UTF_8));
            b.release();
        }
        return out;
    }

    static FlatHttpHeaders fields(String... namesAndValues) {
        FlatHttpHeaders h = new FlatHttpHeaders();
        for (int i = 0; i < namesAndValues.length; i += 2) h.add(namesAndValues[i], namesAndValues[i + 1]);
        return h;
    }

    static ByteBuf bytes(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII);
    }
}
