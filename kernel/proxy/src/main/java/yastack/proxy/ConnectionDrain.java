package yastack.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Error;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import yastack.kernel.util.Logs;

/**
 * The downstream side of a graceful drain (Envoy's drain manager), over the connections
 * {@link ConnectionAdmission} admitted and has not seen close. While draining, HTTP/1 responses carry {@code Connection: close} and the
 * connection closes after them, HTTP/2 connections get GOAWAY and close once their streams
 * are done, and TCP connections are left to finish. When the listeners close, HTTP/1
 * connections with nothing in flight close too (one that has not sent its first request yet
 * gets a second to send it); what is still open at the drain's timeout is cut, and said so.
 */
final class ConnectionDrain {
    private static final System.Logger LOG = Logs.get("yastack");
    /** After the first GOAWAY, how long a client has to notice it before the connection closes behind its streams. */
    private static final long GOAWAY_GRACE_MILLIS = 1000;
    /** When the listeners close, how long a connection that has not sent its first request yet has to send it. */
    static final long FIRST_REQUEST_GRACE_MILLIS = 1000;

    /** The user event that asks an HTTP/1 connection to close if nothing is in flight. */
    static final Object CLOSE_IDLE = new Object() {
        @Override
        public String toString() {
            return "drain: close if idle";
        }
    };

    private final ConnectionAdmission connections;
    private volatile boolean draining;

    ConnectionDrain(ConnectionAdmission connections) {
        this.connections = connections;
    }

    /** Whether connections should close after their current exchange (HTTP/1) or be sent GOAWAY (HTTP/2). */
    boolean draining() {
        return draining;
    }

    /** Starts (or stops, for /healthcheck/ok) closing connections as they finish their work. */
    void draining(boolean on) {
        if (draining == on) return;
        draining = on;
        if (!on) return;
        connections.forEachOpen((listener, ch) -> {
            if (ch.pipeline().get(HttpPipelines.H2) != null) goAway(ch);
        });
    }

    /** An HTTP/2 connection finished its set-up: one that starts while draining gets GOAWAY at once. */
    void http2Started(Channel ch) {
        if (draining) goAway(ch);
    }

    /**
     * Envoy's two-step GOAWAY: the first names the highest stream id, so streams already on
     * their way are still served; a second later the real last stream id goes out, and the
     * connection closes once its active streams end.
     */
    private static void goAway(Channel ch) {
        ch.eventLoop().execute(() -> {
            if (!ch.isActive()) return;
            ch.writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR).setExtraStreamIds(Integer.MAX_VALUE));
            ch.eventLoop().schedule(() -> {
                if (!ch.isActive()) return;
                ch.writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR));
                ch.close();
            }, GOAWAY_GRACE_MILLIS, TimeUnit.MILLISECONDS);
        });
    }

    /** The listeners have closed: idle HTTP/1 connections close now (busy ones after their response). */
    void closeIdle() {
        connections.forEachOpen((listener, ch) -> ch.pipeline().fireUserEventTriggered(CLOSE_IDLE));
    }

    /** Connections still open. */
    int open() {
        return connections.openCount();
    }

    /** Closes every connection still open, logging what was cut; returns how many. */
    int cut(String why) {
        Map<String, Integer> byKind = new TreeMap<>();
        connections.forEachOpen((listener, ch) -> byKind.merge("listener " + listener + ": " + kind(ch), 1, Integer::sum));
        int n = byKind.values().stream().mapToInt(Integer::intValue).sum();
        if (n == 0) return 0;
        LOG.log(System.Logger.Level.WARNING, "drain: " + why + ": cutting " + n + " connection" + (n == 1 ? "" : "s") + " ("
                + String.join(", ", byKind.entrySet().stream().map(e -> e.getValue() + " " + e.getKey()).toList()) + ")");
        connections.forEachOpen((listener, ch) -> {
            // From the head, past TLS and HTTP/2, whose own close would wait for streams to end.
            ChannelHandlerContext first = ch.pipeline().firstContext();
            if (first != null) first.close();
            else ch.close();
        });
        return n;
    }

    private static String kind(Channel ch) {
        if (ch.pipeline().get(HttpPipelines.H2) != null) return "h2";
        if (ch.pipeline().get(TcpProxyHandler.class) != null) return "tcp";
        if (ch.pipeline().get(DownstreamHandler.class) != null) return "http/1.1";
        return "other (tunnel or TLS handshake)";
    }
}
