/**
 * The userspace TCP/IP stack as a Netty 4.2 transport, so the same pipelines (HTTP codecs,
 * SslHandler, the proxy's handlers) run over host sockets and userspace sockets on one worker
 * loop.
 *
 * <p>Each worker owns one {@link yastack.stack.NetStack} shard, driven by a
 * {@link yastack.kernel.loop.DataPathPoller} on that worker's
 * {@link yastack.kernel.loop.WorkerIoHandler} loop. Channels are built with the shard of the
 * worker they will be registered on and registered on that worker's loop (the loop accepts them
 * as {@link yastack.kernel.loop.PolledIoHandle}s):
 *
 * <pre>{@code
 * // listener on worker w (repeat per worker; each shard owns the flows RSS steers to it)
 * new ServerBootstrap().group(loop)                // children stay on the same loop
 *     .channelFactory(() -> new UserspaceServerChannel(shard))
 *     .option(ChannelOption.SO_BACKLOG, 1024)
 *     .childHandler(initializer)
 *     .bind(new InetSocketAddress(listenIp, port));
 *
 * // upstream from a downstream channel's handler, on the same worker
 * new Bootstrap().group(downstream.eventLoop())
 *     .channelFactory(() -> new UserspaceSocketChannel(shard, LocalPortChooser.rssLocal(rss, queue)))
 *     .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5000)
 *     .handler(upstreamInitializer)
 *     .connect(upstreamAddress);
 * }</pre>
 *
 * <p>Stack callbacks arrive on the worker thread inside the poller's {@code poll()} and go into
 * the pipeline directly. Behaviour follows Netty's socket channels (and Linux): reads only while
 * reading is wanted (autoRead or a pending {@code read()}), the stack's receive window closing
 * meanwhile; writes fill the connection's send buffer and keep the rest in the outbound buffer,
 * whose water marks drive writability; {@code shutdownOutput()} sends FIN; the peer's FIN is a
 * {@link io.netty.channel.socket.ChannelInputShutdownEvent} with ALLOW_HALF_CLOSURE, else a close;
 * close sends FIN (RST when received data was left unread, or with SO_LINGER 0); a peer's RST
 * is an {@link java.io.IOException} "Connection reset by peer" followed by close; connect
 * failures are {@link java.net.ConnectException} (refused) or
 * {@link io.netty.channel.ConnectTimeoutException}.
 */
package yastack.kernel.transport;
