package yastack.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.List;
import yastack.api.HashKey;
import yastack.api.HttpRequestHead;
import yastack.kernel.stats.Counter;
import yastack.proxy.cluster.Balanced;
import yastack.proxy.cluster.ClusterRuntime;
import yastack.proxy.filter.NetworkFilterChain;

/**
 * L4 proxy: each accepted connection gets one upstream connection on the same worker and
 * bytes are relayed both ways with backpressure. Half-close passes through: a FIN from
 * one side shuts down output towards the other.
 */
final class TcpProxyHandler extends ChannelInboundHandlerAdapter {
    private final ProxyWorker worker;
    private final String clusterName;
    private final ProxySnapshot snapshot;
    private final Counter cxTotal, cxActive, bytesIn, bytesOut, noUpstream;
    private Channel downstream;
    private Channel upstream;
    // Bytes (and a FIN) that arrive before the upstream connection is up.
    private final ArrayDeque<Object> early = new ArrayDeque<>();
    private long earlyBytes;
    private boolean inputShutdownEarly;
    private NetworkFilterChain filters;
    private TcpFilterConnection filterView;
    private final String listener;

    private final boolean afterProxyHeader;

    TcpProxyHandler(ProxyWorker worker, String listener, String clusterName, ProxySnapshot snapshot, boolean afterProxyHeader) {
        this.afterProxyHeader = afterProxyHeader;
        this.worker = worker;
        this.listener = listener;
        this.clusterName = clusterName;
        this.snapshot = snapshot;
        String p = "tcp." + listener + ".";
        this.cxTotal = worker.stats.counter(p + "downstream_cx_total");
        this.cxActive = worker.stats.gauge(p + "downstream_cx_active");
        this.bytesIn = worker.stats.counter(p + "downstream_cx_rx_bytes_total");
        this.bytesOut = worker.stats.counter(p + "downstream_cx_tx_bytes_total");
        this.noUpstream = worker.stats.counter(p + "upstream_flush_none");
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        // Added after a PROXY protocol header, when the connection has long been active: start now.
        if (afterProxyHeader && ctx.channel().isActive()) channelActive(ctx);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (downstream != null) return;
        downstream = ctx.channel();
        cxTotal.inc();
        cxActive.inc();
        var entries = snapshot.tcpFilters().getOrDefault(listener, List.of());
        if (!entries.isEmpty()) {
            filterView = new TcpFilterConnection(worker.nextStreamId(), listener, downstream, worker.pluginWorker());
            filters = new NetworkFilterChain(entries, filterView, snapshot.pluginErrors());
            if (!filters.onOpen()) {
                downstream.close();
                return;
            }
        }
        ClusterRuntime runtime = snapshot.clusters().get(clusterName);
        if (runtime == null) { // a reload removed the cluster as this connection arrived
            noUpstream.inc();
            downstream.close();
            return;
        }
        UpstreamCluster cluster = worker.cluster(runtime, snapshot.clusterTls().get(clusterName));
        InetSocketAddress source = ProxyProtocolReader.clientAddress(downstream);
        int index = cluster.pick(new TcpClient(source), null, -1);
        if (index < 0) {
            noUpstream.inc();
            downstream.close();
            return;
        }
        if (!cluster.connector.reserveRaw()) { // the cluster's max_connections breaker
            cluster.stats.cxOverflow.inc();
            downstream.close();
            return;
        }
        int pp = runtime.proxyProtocolVersion();
        cluster.connector.connectRaw(cluster.endpoint(index), pp == 0 ? new Relay() : ProxyProtocolReader.sending(pp, downstream, new Relay()), (ch, cause) -> {
            if (cause != null) downstream.close();
            else upstreamReady(ch); // after channel-active, so after a PROXY header
        });
    }

    private void upstreamReady(Channel ch) {
        if (!downstream.isActive()) {
            early.forEach(ReferenceCountUtil::release);
            early.clear();
            ch.close();
            return;
        }
        upstream = ch;
        Object m;
        while ((m = early.poll()) != null) ch.write(m);
        ch.flush();
        if (inputShutdownEarly) shutdownOutput(ch, downstream);
        downstream.config().setAutoRead(true);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Channel up = upstream;
        if (msg instanceof ByteBuf b) {
            bytesIn.add(b.readableBytes());
            if (filters != null) {
                filterView.received += b.readableBytes();
                if (!filters.onDownstreamData(b.nioBuffer().asReadOnlyBuffer())) {
                    b.release();
                    downstream.close();
                    return;
                }
            }
        }
        if (up == null) {
            early.add(msg);
            if (msg instanceof ByteBuf b && (earlyBytes += b.readableBytes()) > 256 * 1024) {
                downstream.config().setAutoRead(false);
            }
            return;
        }
        up.write(msg);
        if (!up.isWritable()) downstream.config().setAutoRead(false);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (upstream != null) upstream.flush();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (upstream != null) upstream.config().setAutoRead(ctx.channel().isWritable());
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            if (upstream == null) inputShutdownEarly = true;
            else shutdownOutput(upstream, downstream);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cxActive.dec();
        if (filters != null) filters.onClose();
        early.forEach(ReferenceCountUtil::release);
        early.clear();
        closeOnFlush(upstream);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }

    /**
     * {@code source} finished sending: once what it sent has gone, {@code target}'s output shuts
     * down (the FIN passes on); when both directions are done, the connection closes. Shared
     * with the upgrade tunnel's pipes.
     */
    static void shutdownOutput(Channel target, Channel source) {
        if (target instanceof DuplexChannel d && d.isActive()) {
            target.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> {
                d.shutdownOutput();
                if (source instanceof DuplexChannel s && s.isOutputShutdown()) target.close();
            });
        } else if (target != null) {
            closeOnFlush(target);
        }
    }

    static void closeOnFlush(Channel ch) {
        if (ch != null && ch.isActive()) ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    /** The upstream side: relays to the downstream channel. */
    final class Relay extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof ByteBuf b) {
                bytesOut.add(b.readableBytes());
                if (filters != null) {
                    filterView.sent += b.readableBytes();
                    if (!filters.onUpstreamData(b.nioBuffer().asReadOnlyBuffer())) {
                        b.release();
                        downstream.close();
                        return;
                    }
                }
            }
            downstream.write(msg);
            if (!downstream.isWritable()) ctx.channel().config().setAutoRead(false);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            downstream.flush();
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            downstream.config().setAutoRead(ctx.channel().isWritable());
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent) shutdownOutput(downstream, ctx.channel());
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            closeOnFlush(downstream);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** A TCP connection as a load balancer sees it: a client address, hashed by its IP. */
    private record TcpClient(InetSocketAddress remoteAddress) implements Balanced {
        @Override
        public HttpRequestHead requestHead() {
            return null;
        }

        @Override
        public long hashKey(HashKey key) {
            return HashKeys.hash(key, null, remoteAddress == null ? "" : remoteAddress.getAddress().getHostAddress());
        }
    }
}
