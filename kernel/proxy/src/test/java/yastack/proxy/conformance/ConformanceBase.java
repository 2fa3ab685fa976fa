package yastack.proxy.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;
import yastack.proxy.fixtures.ListenerFlavor;

/**
 * A real proxy (one worker, listener "conf") in front of a {@link RawUpstream}, with the
 * assertions every conformance test makes: the status line, and whether the proxy closed
 * the connection. Routes: {@code /local...} is a direct 200 reply, everything else goes
 * upstream.
 *
 * <p>Every suite runs once per listener flavor (a concrete subclass each): the listener is a
 * host socket, or it is on the userspace stack and the test's loopback clients reach it through
 * a {@link yastack.proxy.fixtures.StackRelay}. The upstream is a host socket either way. The
 * proxy and the upstream are started once per class.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ConformanceBase {
    static final String REJECTED = "http.conf.downstream_rq_rejected";
    /** A request that must never reach the upstream when it follows a rejected one. */
    static final String SMUGGLED = "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n";

    final ListenerFlavor flavor;
    RawUpstream upstream;
    ListenerFlavor.Proxy proxy;

    ConformanceBase(ListenerFlavor flavor) {
        this.flavor = flavor;
    }

    @BeforeAll
    void startProxy() throws Exception {
        upstream = new RawUpstream();
        // RFC 9110 allows '_' in field names, and these suites test the grammar; what the edge
        // does with such names (headers_with_underscores_action) has tests of its own.
        proxy = startProxy("headers_with_underscores_action: allow");
    }

    /** A proxy of this class's flavor in front of {@link #upstream}; {@code httpSettings} go under {@code http:}. */
    ListenerFlavor.Proxy startProxy(String httpSettings) throws Exception {
        String yaml = """
                ${STACK}
                listeners:
                  - name: conf
                    ${LISTEN}
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
                """.formatted(httpSettings, upstream.port());
        return flavor.start(yaml, 1);
    }

    @AfterAll
    void stopProxy() throws IOException {
        try {
            if (proxy != null && flavor == ListenerFlavor.USERSPACE) {
                // the suite really went through the stack: every client connection the relay
                // accepted became one passive open on the proxy's userspace interface
                long opened = stat("stack." + ListenerFlavor.IFACE + ".tcp.connections_opened_passive");
                assertTrue(proxy.relayed() > 0, "no connection went through the userspace listener");
                assertEquals(proxy.relayed(), opened, "relayed connections vs passive opens on the userspace listener");
                assertEquals(0, stat("stack." + ListenerFlavor.IFACE + ".tcp.drop.bad_checksum"));
            }
        } finally {
            try {
                if (proxy != null) proxy.close();
            } finally {
                if (upstream != null) upstream.close();
            }
        }
    }

    @BeforeEach
    void forgetEarlierRequests() {
        upstream.received.clear();
    }

    long stat(String name) {
        return proxy.engine().stats().value(name);
    }

    RawClient client() throws IOException {
        return new RawClient(proxy.port());
    }

    /**
     * Sends {@code raw} followed by a request that would be smuggled if the proxy kept
     * reading; expects {@code status} with Connection: close, the connection closed, the
     * rejection counted, and nothing of it forwarded upstream.
     */
    RawClient.Response assertRejected(String raw, int status) throws Exception {
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
    RawClient.Response assertServedKeepAlive(String raw, int status) throws Exception {
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
