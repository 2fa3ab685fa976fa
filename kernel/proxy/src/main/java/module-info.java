/**
 * The proxy engine: HTTP/1.1, HTTP/2 and TCP proxying over the kernel's dual-flavor
 * sockets — listeners, clusters, connection pools, health, retries, TLS and filter chains.
 * It takes the typed config ({@code yastack.api.config}), never YAML, and opens sockets only
 * through the kernel's socket facade.
 */
module yastack.proxy {
    requires transitive yastack.kernel;
    requires io.netty.handler;
    requires io.netty.codec;
    requires io.netty.codec.http;
    requires io.netty.codec.http2;
    requires io.netty.codec.haproxy;
    requires io.netty.codec.dns;
    requires io.netty.resolver.dns;
    requires io.netty.transport.classes.epoll;
    requires com.google.protobuf.util;
    requires org.bouncycastle.pkix; // OCSP staples (tls.OcspStaple)
    requires java.net.http;
    // The overload monitor reads heap use after GC (com.sun.management.GcInfo).
    requires java.management;
    requires jdk.management;

    // Script policies (script: in the config) come from whichever runtime provides them.
    uses yastack.api.script.ScriptRuntimeProvider;
    // Tracing (http.tracing) exports through whichever provider the config names.
    uses yastack.api.trace.TracingProvider;

    exports yastack.proxy to yastack.server, yastack.xds;
    exports yastack.proxy.cluster to yastack.server;
    exports yastack.proxy.filter to yastack.server;
    exports yastack.proxy.tls to yastack.server;
    exports yastack.proxy.overload to yastack.server;
}
