/**
 * The server: assembles the proxy engine from a config file, serves the admin API,
 * watches and reloads the config, and is the CLI ({@code bin/yastack}).
 */
module yastack.server {
    requires yastack.proxy;
    requires yastack.config;
    requires yastack.xds;
    requires io.netty.codec;       // the admin API's server: Netty's HTTP/1.1 codec
    requires io.netty.codec.http;
    requires com.google.gson;      // bin/yastack upgrade reads the running instance's /server_info
    requires org.apache.commons.cli;
    requires java.net.http;
    requires jdk.httpserver;       // the quickstart's demo upstreams
    requires java.logging;
    requires jdk.management;    // com.sun.management.ThreadMXBean: server.jvm.allocated_bytes
    // sun.misc.Signal: SIGTERM drains and exits 0 instead of the JVM's immediate exit 143;
    // SIGUSR1 reopens the access logs (log rotation)
    requires jdk.unsupported;
    // System.Logger -> java.util.logging, found among the modules' services (no class-path search at start-up)
    provides java.lang.System.LoggerFinder with yastack.server.cli.JulLoggerFinder;
}
