package yastack.proxy.edge;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.TimeUnit;
import yastack.kernel.stats.Counter;

/**
 * Watches the frames an HTTP/2 client sends, in front of the codec, and ends the connection
 * (GOAWAY ENHANCE_YOUR_CALM, then close; counted) when they are an attack rather than use
 * (the limits are the listener's {@link Http2FloodLimits}):
 * <ul>
 * <li><b>rapid reset</b> (CVE-2023-44487): at least {@code max_premature_resets} streams reset by
 * the client within {@value #WINDOW_SECONDS} s, and at least half of the streams it opened then;</li>
 * <li><b>SETTINGS or PING floods</b>: more than {@code max_inbound_control_frames} of either (each
 * needs an acknowledgement) within {@value #WINDOW_SECONDS} s;</li>
 * <li><b>empty frames</b>: more than {@code max_consecutive_inbound_frames_with_empty_payload}
 * DATA, HEADERS or CONTINUATION frames in a row with no payload and no end flag;</li>
 * <li><b>CONTINUATION flood</b>: a header block in more than {@code max_header_block_frames}
 * frames or more than twice the header list size the listener allows;</li>
 * <li><b>PRIORITY flood</b>: more than {@code max_inbound_priority_frames_per_stream} PRIORITY
 * frames per stream opened, plus that many.</li>
 * </ul>
 * Only the 9-byte frame headers are read (across buffer boundaries); the bytes go on to the
 * codec unchanged, so what the codec enforces itself stays in force behind this. After the
 * GOAWAY the connection lingers for up to {@value #LINGER_MILLIS} ms, reading and dropping what
 * still comes: closing a socket with unread bytes makes the kernel send a reset, which can
 * destroy the GOAWAY before the client has read it (the codec's own closes are held the same way).
 */
public final class Http2FloodGuard extends ChannelDuplexHandler {
    static final long LINGER_MILLIS = 1000;
    static final int WINDOW_SECONDS = 10;

    private static final int PREFACE_LENGTH = 24;
    private static final int HEADER_LENGTH = 9;
    private static final int DATA = 0, HEADERS = 1, PRIORITY = 2, RST_STREAM = 3, SETTINGS = 4, PING = 6, CONTINUATION = 9;
    private static final int FLAG_ACK = 0x1, FLAG_END_STREAM = 0x1, FLAG_END_HEADERS = 0x4;
    private static final long WINDOW_NANOS = WINDOW_SECONDS * 1_000_000_000L;

    private final EdgeStats stats;
    private final Http2FloodLimits limits;
    private final long maxBlockBytes;
    private final byte[] header = new byte[HEADER_LENGTH];
    private int headerFill;
    private int prefaceLeft = PREFACE_LENGTH;
    private long payloadLeft;
    private boolean tripped;
    private boolean closeScheduled;

    private long windowStart;
    private int resets, streamsOpened, settings, pings;
    private int highestStream;
    private long totalStreams, priorities;
    private int consecutiveEmpty;
    private int blockFrames;
    private long blockBytes;

    /** @param maxHeaderListSize the header list size announced to the client */
    public Http2FloodGuard(EdgeStats stats, Http2FloodLimits limits, int maxHeaderListSize) {
        this.stats = stats;
        this.limits = limits;
        this.maxBlockBytes = 2L * maxHeaderListSize;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (tripped) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof ByteBuf buf) {
            Counter verdict = scan(buf);
            if (verdict != null) {
                buf.release();
                trip(ctx, verdict);
                return;
            }
        }
        ctx.fireChannelRead(msg);
    }

    /** Walks the frame headers in {@code buf} without moving its reader index; the counter of an attack, or null. */
    private Counter scan(ByteBuf buf) {
        int i = buf.readerIndex(), end = buf.writerIndex();
        while (i < end) {
            if (prefaceLeft > 0) {
                int n = Math.min(prefaceLeft, end - i);
                prefaceLeft -= n;
                i += n;
            } else if (payloadLeft > 0) {
                int n = (int) Math.min(payloadLeft, end - i);
                payloadLeft -= n;
                i += n;
            } else {
                header[headerFill++] = buf.getByte(i++);
                if (headerFill == HEADER_LENGTH) {
                    headerFill = 0;
                    int length = (header[0] & 0xff) << 16 | (header[1] & 0xff) << 8 | (header[2] & 0xff);
                    payloadLeft = length;
                    Counter verdict = frame(length, header[3] & 0xff, header[4] & 0xff,
                            (header[5] & 0x7f) << 24 | (header[6] & 0xff) << 16 | (header[7] & 0xff) << 8 | (header[8] & 0xff));
                    if (verdict != null) return verdict;
                }
            }
        }
        return null;
    }

    private Counter frame(int length, int type, int flags, int streamId) {
        switch (type) {
            case DATA -> {
                return empty(length == 0 && (flags & FLAG_END_STREAM) == 0);
            }
            case HEADERS -> {
                if (streamId > highestStream) {
                    highestStream = streamId;
                    window();
                    streamsOpened++;
                    totalStreams++;
                }
                blockFrames = 1;
                blockBytes = length;
                Counter v = empty(length == 0 && (flags & (FLAG_END_STREAM | FLAG_END_HEADERS)) == 0);
                return v != null ? v : continuation(flags);
            }
            case CONTINUATION -> {
                blockFrames++;
                blockBytes += length;
                Counter v = empty(length == 0 && (flags & FLAG_END_HEADERS) == 0);
                return v != null ? v : continuation(flags);
            }
            case PRIORITY -> {
                return ++priorities > (long) limits.maxPriorityFramesPerStream() * (totalStreams + 1) ? stats.priorityFlood : null;
            }
            case RST_STREAM -> {
                window();
                resets++;
                return resets >= limits.maxPrematureResets() && 2L * resets >= streamsOpened ? stats.prematureResets : null;
            }
            case SETTINGS -> {
                if ((flags & FLAG_ACK) != 0) return null;
                window();
                return ++settings > limits.maxInboundControlFrames() ? stats.settingsFlood : null;
            }
            case PING -> {
                if ((flags & FLAG_ACK) != 0) return null;
                window();
                return ++pings > limits.maxInboundControlFrames() ? stats.pingFlood : null;
            }
            default -> {
                return null;
            }
        }
    }

    private Counter empty(boolean empty) {
        if (!empty) {
            consecutiveEmpty = 0;
            return null;
        }
        return ++consecutiveEmpty > limits.maxConsecutiveEmptyFrames() ? stats.emptyFramesFlood : null;
    }

    private Counter continuation(int flags) {
        if (blockFrames > limits.maxHeaderBlockFrames() || blockBytes > maxBlockBytes) return stats.continuationFlood;
        if ((flags & FLAG_END_HEADERS) != 0) blockFrames = 0;
        return null;
    }

    /** Starts a new counting window when the current one is over. */
    private void window() {
        long now = System.nanoTime();
        if (now - windowStart < WINDOW_NANOS) return;
        windowStart = now;
        resets = streamsOpened = settings = pings = 0;
    }

    /** GOAWAY through the codec (it knows the last stream), then the connection closes without waiting for its streams. */
    private void trip(ChannelHandlerContext ctx, Counter verdict) {
        tripped = true;
        verdict.inc();
        ctx.channel().writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.ENHANCE_YOUR_CALM));
        lingerThenClose(ctx, ctx.newPromise());
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        if (tripped) lingerThenClose(ctx, promise);
        else ctx.close(promise);
    }

    private void lingerThenClose(ChannelHandlerContext ctx, ChannelPromise promise) {
        if (closeScheduled) {
            ctx.channel().closeFuture().addListener(f -> promise.trySuccess());
            return;
        }
        closeScheduled = true;
        ctx.executor().schedule(() -> ctx.close(promise), LINGER_MILLIS, TimeUnit.MILLISECONDS);
    }
}
