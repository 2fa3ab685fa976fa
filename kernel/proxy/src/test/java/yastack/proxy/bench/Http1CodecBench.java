package yastack.proxy.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import yastack.proxy.BenchAccess;

/**
 * The HTTP/1.1 codec work of one proxied keep-alive request, as the benchmarks' 100 B request
 * makes it: wrk's request head decoded on the downstream connection, the request written to the
 * upstream connection, nginx's response (eight fields and 100 B) decoded there, and the response
 * written downstream, each on the codec a connection runs, in an {@link EmbeddedChannel}. The
 * exchange between them (routing, header edits, stats) is not in it. With {@code -prof gc} it
 * reports the bytes these steps allocate per request:
 * {@code bench/jmh.sh kernel/proxy Http1CodecBench -prof gc}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class Http1CodecBench {
    private static final byte[] REQUEST = "GET /100b HTTP/1.1\r\nHost: 127.0.0.1:19101\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] RESPONSE = ("HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Mon, 07 Dec 2026 03:00:00 GMT\r\n"
            + "Content-Type: application/octet-stream\r\nContent-Length: 100\r\nLast-Modified: Mon, 07 Dec 2026 02:00:00 GMT\r\n"
            + "Connection: keep-alive\r\nETag: \"6574e0c0-64\"\r\nAccept-Ranges: bytes\r\n\r\n" + "x".repeat(100))
            .getBytes(StandardCharsets.US_ASCII);

    private EmbeddedChannel downstream;
    private EmbeddedChannel upstream;

    @Setup(Level.Trial)
    public void connect() {
        downstream = new EmbeddedChannel(BenchAccess.downstreamCodec());
        upstream = new EmbeddedChannel(BenchAccess.upstreamCodec());
    }

    @TearDown(Level.Trial)
    public void close() {
        downstream.finishAndReleaseAll();
        upstream.finishAndReleaseAll();
    }

    @Benchmark
    public long proxiedRequest() {
        downstream.writeInbound(Unpooled.wrappedBuffer(REQUEST));
        HttpRequest in = downstream.readInbound();
        release(downstream.readInbound()); // the request's (empty) last piece
        upstream.write(new DefaultHttpRequest(HttpVersion.HTTP_1_1, in.method(), in.uri(), in.headers()), upstream.voidPromise());
        upstream.write(LastHttpContent.EMPTY_LAST_CONTENT, upstream.voidPromise());
        long bytes = drain(upstream);
        upstream.writeInbound(Unpooled.wrappedBuffer(RESPONSE));
        HttpResponse head = upstream.readInbound();
        HttpContent body = upstream.readInbound();
        downstream.write(new DefaultHttpResponse(HttpVersion.HTTP_1_1, head.status(), head.headers()), downstream.voidPromise());
        downstream.write(body, downstream.voidPromise());
        return bytes + drain(downstream);
    }

    private static long drain(EmbeddedChannel ch) {
        ch.flush();
        long n = 0;
        ByteBuf b;
        while ((b = ch.readOutbound()) != null) {
            n += b.readableBytes();
            b.release();
        }
        return n;
    }

    private static void release(Object o) {
        ReferenceCountUtil.release(o);
    }
}
