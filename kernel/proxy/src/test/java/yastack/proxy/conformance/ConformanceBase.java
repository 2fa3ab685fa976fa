package yastack.proxy.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import yastack.config.ConfigLoader;
import yastack.proxy.fixtures.Engines;
import yastack.proxy.ProxyEngine;

/**
 * A real proxy (one worker, listener "conf") in front of a {@link RawUpstream}, with the
 * assertions every conformance test makes: the status line, and whether the proxy closed
 * the connection. Routes: {@code /local...} is a direct 200 reply, everything else goes
 * upstream.
 */
abstract class ConformanceBase {
    static final String REJECTED = "http.conf.downstream_rq_rejected";
    /** A request that must never reach the upstream when it follows a rejected one. */
    static final String SMUGGLED = "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n";

    static RawUpstream upstream;
    static ProxyEngine proxy;
    static int port;

    @BeforeAll
    static void startProxy() throws Exception {
        upstream = new RawUpstream();
        port = freePort();
        proxy = startProxy(port, "");
    }

    /** A proxy on {@code listenPort} in front of {@link #upstream}; {@code httpSettings} go under {@code http:}. */
    static ProxyEngine startProxy(int listenPort, String httpSettings) throws Exception {
        String yaml = """
                listeners:
                  - name: conf
                    address: 127.0.0.1
                    port: %d
                    http:
                      %s
                      route_config:
                        virtual_hosts:
                          - name: all
                            domains: ["*"]
                            routes:
                              - match: {prefix: "/local"}
                                direct_response: {status: 200, body: "local"}
                              - match: {prefix: "/"}
                                route: {cluster: up, timeout: 5s}
                clusters:
                  - {name: up, endpoints: [{address: 127.0.0.1, port: %d}]}
                """.formatted(listenPort, httpSettings, upstream.port());
        return Engines.start(ConfigLoader.parse(yaml, Path.of(".")), 1);
    }

    @AfterAll
    static void stopProxy() throws IOException {
        if (proxy != null) proxy.close();
        if (upstream != null) upstream.close();
    }

    @BeforeEach
    void forgetEarlierRequests() {
        upstream.received.clear();
    }

    static int freePort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static long stat(String name) {
        return proxy.proxy().stats().value(name);
    }

    static RawClient client() throws IOException {
        return new RawClient(port);
    }

    /**
     * Sends {@code raw} followed by a request that would be smuggled if the proxy kept
     * reading; expects {@code status} with Connection: close, the connection closed, the
     * rejection counted, and nothing of it forwarded upstream.
     */
    static RawClient.Response assertRejected(String raw, int status) throws Exception {
        long before = stat(REJECTED);
        RawClient.Response r;
        try (RawClient c = client()) {
            c.send(raw + SMUGGLED);
            r = c.readFinal();
            assertEquals(status, r.status(), () -> "for " + escape(raw) + " got\n" + r);
            assertTrue(r.connectionClose(), () -> "Connection: close expected on\n" + r);
            assertTrue(c.closedWithin(2000), "connection must be closed after " + escape(raw));
        }
        assertEquals(before + 1, stat(REJECTED), "rejection counted");
        assertNull(upstream.poll(50), "nothing reaches the upstream");
        return r;
    }

    /** Sends {@code raw}, expects {@code status} and the connection still usable afterwards. */
    static RawClient.Response assertServedKeepAlive(String raw, int status) throws Exception {
        try (RawClient c = client()) {
            c.send(raw);
            RawClient.Response r = c.readFinal();
            assertEquals(status, r.status(), () -> "for " + escape(raw) + " got\n" + r);
            assertFalse(r.connectionClose(), () -> "no Connection: close expected on\n" + r);
            assertStillServes(c);
            return r;
        }
    }

    /** A follow-up request on the same connection is answered. */
    static void assertStillServes(RawClient c) throws IOException {
        c.send("GET /local/next HTTP/1.1\r\nHost: x\r\n\r\n");
        RawClient.Response next = c.read();
        assertEquals(200, next.status(), "follow-up request on the same connection");
        assertEquals("local", next.body());
    }

    static String escape(String s) {
        return s.replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t").replace("\0", "\\0");
    }
}
