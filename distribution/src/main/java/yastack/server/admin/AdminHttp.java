package yastack.server.admin;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The admin API's HTTP/1.1 server: one event loop thread of its own (so operators can look
 * however busy the workers are) and one thread for answers that wait (reload, config dump,
 * the data plane's workers). Netty's codec is the one the proxy already runs, so the admin
 * port adds no HTTP stack and no threads beyond these two.
 */
final class AdminHttp implements AutoCloseable {
    /** Admin requests carry no bodies worth more than this. */
    private static final int MAX_REQUEST_BYTES = 64 * 1024;

    /** One admin request and the way to answer it, exactly once. */
    interface Exchange {
        String method();

        String path();

        /** The first value of a query parameter, or null. */
        String param(String name);

        boolean hasParam(String name);

        /** Every query parameter's first value, in order. */
        Map<String, String> params();

        void reply(int status, String contentType, String body);

        /** Computes the answer on the admin's blocking thread, then replies with {@code done}'s choice. */
        <T> void offLoop(Callable<T> work, Consumer<Outcome<T>> done);
    }

    /** What blocking work ended with: its value, or what it threw. */
    record Outcome<T>(T value, Throwable failure) {
        boolean succeeded() {
            return failure == null;
        }
    }

    private final EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("admin", true),
            NioIoHandler.newFactory());
    private final ExecutorService blocking = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "admin-blocking");
        t.setDaemon(true);
        return t;
    });
    private Channel server;

    /** Binds {@code address:port}; returns the bound port. */
    int listen(String address, int port, Consumer<Exchange> handler) throws InterruptedException {
        server = new ServerBootstrap().group(loop).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(MAX_REQUEST_BYTES),
                                new Connection(handler));
                    }
                })
                .bind(address, port).sync().channel();
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    @Override
    public void close() {
        if (server != null) server.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        loop.shutdownGracefully(0, 5, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        blocking.shutdownNow();
    }

    /**
     * One admin connection. Requests are answered one at a time and in order: a pipelined
     * request waits while an earlier one is computed off the loop.
     */
    private final class Connection extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final Consumer<Exchange> handler;
        private final ArrayDeque<FullHttpRequest> waiting = new ArrayDeque<>(1);
        private boolean busy;

        Connection(Consumer<Exchange> handler) {
            super(false);
            this.handler = handler;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            if (busy) {
                waiting.add(req);
            } else {
                serve(ctx, req);
            }
        }

        private void serve(ChannelHandlerContext ctx, FullHttpRequest req) {
            busy = true;
            try {
                Answer answer = new Answer(ctx, req);
                if (req.decoderResult().isFailure()) {
                    answer.send(400, "text/plain", "bad request\n", false);
                    return;
                }
                try {
                    handler.accept(answer);
                } catch (RuntimeException e) {
                    answer.reply(500, "text/plain", "admin error: " + e + "\n");
                }
            } finally {
                req.release();
            }
        }

        /** Called on the loop once a request's answer is written: the next waiting one goes. */
        private void next(ChannelHandlerContext ctx) {
            busy = false;
            FullHttpRequest req = waiting.poll();
            if (req != null) serve(ctx, req);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            for (FullHttpRequest r; (r = waiting.poll()) != null; ) r.release();
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close(); // a reset admin connection is nothing to log
        }

        private final class Answer implements Exchange {
            private final ChannelHandlerContext ctx;
            private final String method;
            private final QueryStringDecoder uri;
            private final boolean keepAlive;
            private final boolean http10;
            private boolean answered;

            Answer(ChannelHandlerContext ctx, FullHttpRequest req) {
                this.ctx = ctx;
                this.method = req.method().name();
                this.uri = new QueryStringDecoder(req.uri());
                this.keepAlive = HttpUtil.isKeepAlive(req);
                this.http10 = req.protocolVersion().equals(HttpVersion.HTTP_1_0);
            }

            @Override
            public String method() {
                return method;
            }

            @Override
            public String path() {
                return uri.path();
            }

            @Override
            public String param(String name) {
                List<String> v = uri.parameters().get(name);
                return v == null || v.isEmpty() ? null : v.getFirst();
            }

            @Override
            public boolean hasParam(String name) {
                return uri.parameters().containsKey(name);
            }

            @Override
            public Map<String, String> params() {
                Map<String, String> out = new LinkedHashMap<>();
                uri.parameters().forEach((k, v) -> out.put(k, v.isEmpty() ? "" : v.getFirst()));
                return out;
            }

            @Override
            public void reply(int status, String contentType, String body) {
                if (ctx.executor().inEventLoop()) {
                    send(status, contentType, body, keepAlive);
                } else {
                    ctx.executor().execute(() -> send(status, contentType, body, keepAlive));
                }
            }

            @Override
            public <T> void offLoop(Callable<T> work, Consumer<Outcome<T>> done) {
                blocking.execute(() -> {
                    Outcome<T> outcome;
                    try {
                        outcome = new Outcome<>(work.call(), null);
                    } catch (Throwable t) {
                        outcome = new Outcome<>(null, t);
                    }
                    Outcome<T> o = outcome;
                    ctx.executor().execute(() -> {
                        try {
                            done.accept(o);
                        } catch (RuntimeException e) {
                            reply(500, "text/plain", "admin error: " + e + "\n");
                        }
                    });
                });
            }

            void send(int status, String contentType, String body, boolean keepOpen) {
                if (answered) return;
                answered = true;
                FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status),
                        Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
                r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
                HttpUtil.setContentLength(r, r.content().readableBytes());
                if (!keepOpen) {
                    r.headers().set(HttpHeaderNames.CONNECTION, "close");
                } else if (http10) {
                    r.headers().set(HttpHeaderNames.CONNECTION, "keep-alive");
                }
                var written = ctx.writeAndFlush(r);
                if (keepOpen) {
                    ctx.executor().execute(() -> next(ctx)); // not recursively: a long pipeline would nest
                } else {
                    written.addListener(ChannelFutureListener.CLOSE);
                }
            }
        }
    }
}
