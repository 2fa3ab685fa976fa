package yastack.kernel.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.zip.CRC32;

/** Handlers the conformance suite composes: echo, a checksumming sink, a paced checksumming source. */
final class TestHandlers {
    private TestHandlers() {
    }

    /** Writes back whatever it reads; flushes once per read batch. */
    static final class Echo extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.write(msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** Counts and checksums what it reads; completes when {@code expected} bytes arrived. */
    static final class Sink extends ChannelInboundHandlerAdapter {
        final long expected;
        final CRC32 crc = new CRC32();
        volatile long received;
        final CompletableFuture<Long> done = new CompletableFuture<>();

        Sink(long expected) {
            this.expected = expected;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf b = (ByteBuf) msg;
            try {
                crc.update(b.nioBuffer());
                received += b.readableBytes();
            } finally {
                b.release();
            }
            if (received >= expected) {
                done.complete(crc.getValue());
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            done.completeExceptionally(cause);
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            done.completeExceptionally(new IllegalStateException("closed after " + received + " of " + expected + " bytes"));
            ctx.fireChannelInactive();
        }
    }

    /**
     * Sends {@code total} pseudo-random bytes in chunks, only while the channel is writable (so
     * its memory stays bounded by the write water mark), and checksums what it sent.
     */
    static final class Source extends ChannelInboundHandlerAdapter {
        final long total;
        final int chunk;
        final SplittableRandom random;
        final CRC32 crc = new CRC32();
        long sent;
        volatile long maxPending;
        volatile int writabilityRegained;
        final CompletableFuture<Long> done = new CompletableFuture<>();

        Source(long total, int chunk, long seed) {
            this.total = total;
            this.chunk = chunk;
            this.random = new SplittableRandom(seed);
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            pump(ctx);
            ctx.fireChannelActive();
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel().isWritable()) {
                writabilityRegained++;
                pump(ctx);
            }
            ctx.fireChannelWritabilityChanged();
        }

        void pump(ChannelHandlerContext ctx) {
            byte[] bytes = new byte[chunk];
            while (sent < total && ctx.channel().isWritable()) {
                int n = (int) Math.min(chunk, total - sent);
                random.nextBytes(bytes);
                crc.update(bytes, 0, n);
                ByteBuf b = ctx.alloc().buffer(n).writeBytes(bytes, 0, n);
                sent += n;
                ctx.write(b).addListener((ChannelFutureListener) f -> {
                    if (!f.isSuccess()) {
                        done.completeExceptionally(f.cause());
                    }
                });
                var out = ctx.channel().unsafe().outboundBuffer();
                if (out != null) {
                    maxPending = Math.max(maxPending, out.totalPendingWriteBytes());
                }
            }
            ctx.flush();
            if (sent == total) {
                done.complete(crc.getValue());
            }
        }
    }

    static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }
}
