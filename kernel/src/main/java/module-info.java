/**
 * The kernel: packet I/O, worker loops, dual-flavor sockets, the proxy engine,
 * config, stats, the admin API and the CLI. Nothing outside yastack depends on it.
 */
module yastack.kernel {
    requires yastack.api;
    requires yastack.stack;
    requires yastack.scripting;
    requires io.netty.common;
    requires io.netty.buffer;
    requires io.netty.transport;
    requires io.netty.handler;
    requires io.netty.codec;
    requires io.netty.codec.http;
    requires io.netty.codec.http2;
    requires io.netty.codec.haproxy;
    requires io.netty.transport.classes.epoll;
    requires io.netty.transport.unix.common;
    requires io.vertx.core;
    requires com.google.protobuf;
    requires com.google.protobuf.util;
    requires info.picocli;
    requires org.snakeyaml.engine.v2;
    requires HdrHistogram;
    requires java.logging;
    requires java.net.http;

    opens yastack.kernel.cli to info.picocli;

    // Plugin kinds the loader looks up in the boot layer and in plugin layers.
    uses yastack.api.HttpFilterFactory;
    uses yastack.api.RouterFactory;
    uses yastack.api.LoadBalancerFactory;
    uses yastack.api.SteeringPolicyFactory;
    uses yastack.api.NetworkFilterFactory;
}
