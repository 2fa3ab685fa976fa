/**
 * The kernel: packet I/O (DPDK, TAP, memory), the worker loops that poll the userspace
 * stack and the host sockets on one thread, dual-flavor sockets as Netty channels, the
 * userspace data plane (stack shards, RSS, distributor, drain), stats cells and the plugin
 * loader. It knows nothing of HTTP, config files, the admin API or the CLI.
 */
module yastack.kernel {
    requires transitive yastack.api;
    requires transitive yastack.stack;
    requires transitive io.netty.common;
    requires transitive io.netty.buffer;
    requires transitive io.netty.transport;
    requires io.netty.transport.classes.epoll;
    requires io.netty.transport.classes.io_uring;
    requires io.netty.transport.unix.common;
    requires HdrHistogram;
    requires java.logging; // Logs: the proxy's loggers write to java.util.logging

    // Only the proxy engine and the server see the kernel: plugins (automatic modules read
    // every module) must not be able to use it.
    exports yastack.kernel.dataplane to yastack.proxy, yastack.server;
    exports yastack.kernel.io to yastack.proxy, yastack.server;
    exports yastack.kernel.io.dpdk to yastack.proxy, yastack.server;
    exports yastack.kernel.io.mem to yastack.proxy, yastack.server;
    exports yastack.kernel.io.rss to yastack.proxy, yastack.server;
    exports yastack.kernel.io.tap to yastack.proxy, yastack.server;
    exports yastack.kernel.loop to yastack.proxy, yastack.server;
    exports yastack.kernel.plugin to yastack.proxy, yastack.server;
    exports yastack.kernel.stats to yastack.proxy, yastack.server;
    exports yastack.kernel.transport to yastack.proxy, yastack.server;
    exports yastack.kernel.util to yastack.proxy, yastack.server, yastack.xds;

    // Plugin kinds the loader looks up in the boot layer and in plugin layers.
    uses yastack.api.HttpFilterFactory;
    uses yastack.api.RouterFactory;
    uses yastack.api.LoadBalancerFactory;
    uses yastack.api.SteeringPolicyFactory;
    uses yastack.api.NetworkFilterFactory;
    uses yastack.api.AccessLoggerFactory;
}
