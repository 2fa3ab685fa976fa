package yastack.proxy;

import yastack.proxy.fixtures.ProxyHarness;
import yastack.proxy.fixtures.TestUpstream;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Envoy-style error mapping, each with its body and counter. */
class ErrorMappingTest {
    static TestUpstream up;
    static ProxyHarness proxy;
    static int deadPort;

    @BeforeAll
    static void start() throws Exception {
        up = new TestUpstream("up");
        deadPort = ProxyHarness.freePort();
        proxy = new ProxyHarness("""
                listeners:
                  - name: web
                    address: 127.0.0.1
                    port: ${PORT}
                    http:
                      max_request_headers_kb: 8
                      route_config:
                        virtual_hosts:
                          - name: all
                            domains: ["*"]
                            routes:
                              - match: {prefix: "/dead"}
                                route: {cluster: dead}
                              - match: {prefix: "/slow/"}
                                route: {cluster: up, timeout: 300ms, prefix_rewrite: "/delay/"}
                              - match: {prefix: "/"}
                                route: {cluster: up}
                clusters:
                  - {name: up, endpoints: [{address: 127.0.0.1, port: %d}]}
                  - {name: dead, connect_timeout: 500ms, endpoints: [{address: 127.0.0.1, port: %d}]}
                """.formatted(up.port(), deadPort), 1);
    }

    @AfterAll
    static void stop() {
        proxy.close();
        up.close();
    }

    @Test
    void connectFailureIs503() throws Exception {
        long before = proxy.stat("cluster.dead.upstream_cx_connect_fail");
        HttpResponse<String> r = proxy.get("/dead");
        assertEquals(503, r.statusCode());
        assertEquals("upstream connect error\n", r.body());
        assertEquals(before + 1, proxy.awaitStat("cluster.dead.upstream_cx_connect_fail", before + 1));
        assertEquals(0, proxy.stat("cluster.dead.upstream_cx_active"), "a failed connect is not an active connection");
    }

    @Test
    void timeoutIs504() throws Exception {
        long before = proxy.stat("cluster.up.upstream_rq_timeout");
        HttpResponse<String> r = proxy.get("/slow/2000");
        assertEquals(504, r.statusCode());
        assertEquals("upstream request timeout\n", r.body());
        assertEquals(before + 1, proxy.awaitStat("cluster.up.upstream_rq_timeout", before + 1));
        assertEquals(200, proxy.get("/slow/10").statusCode(), "a fast answer within the timeout passes");
    }

    @Test
    void upstreamResetIs502() throws Exception {
        long before = proxy.stat("cluster.up.upstream_rq_rx_reset");
        HttpResponse<String> r = proxy.get("/reset");
        assertEquals(502, r.statusCode());
        assertEquals("upstream reset before response\n", r.body());
        assertTrue(proxy.awaitStat("cluster.up.upstream_rq_rx_reset", before + 1) > before);
    }

    @Test
    void upstreamStatusesPassThroughAndAreCounted() throws Exception {
        long before5 = proxy.stat("cluster.up.upstream_rq_5xx");
        long before4 = proxy.stat("http.web.downstream_rq_4xx");
        assertEquals(503, proxy.get("/status/503").statusCode());
        assertEquals(418, proxy.get("/status/418").statusCode());
        assertEquals(before5 + 1, proxy.awaitStat("cluster.up.upstream_rq_5xx", before5 + 1));
        assertTrue(proxy.awaitStat("http.web.downstream_rq_4xx", before4 + 1) >= before4 + 1);
    }

    @Test
    void malformedRequestIs400AndClosed() throws Exception {
        long before = proxy.stat("http.web.downstream_rq_rejected");
        String resp = proxy.raw("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /second HTTP/1.1\r\nHost: x\r\n\r\n", 3000);
        assertTrue(resp.startsWith("HTTP/1.1 400 "), resp);
        assertEquals(1, resp.split("HTTP/1.1 ", -1).length - 1, "nothing after the rejected request is served: " + resp);
        assertTrue(!resp.contains("<timeout>"), "connection must be closed: " + resp);
        assertTrue(proxy.awaitStat("http.web.downstream_rq_rejected", before + 1) > before);
    }

    @Test
    void oversizedHeaderBlockIs431() throws Exception {
        String big = "x".repeat(9 * 1024);
        String resp = proxy.raw("GET / HTTP/1.1\r\nHost: x\r\nx-big: " + big + "\r\n\r\n", 3000);
        assertTrue(resp.startsWith("HTTP/1.1 431 "), resp.substring(0, Math.min(80, resp.length())));
        String ok = proxy.raw("GET / HTTP/1.1\r\nHost: x\r\nx-big: " + "y".repeat(6 * 1024) + "\r\nConnection: close\r\n\r\n", 3000);
        assertTrue(ok.startsWith("HTTP/1.1 200 "), ok.substring(0, Math.min(80, ok.length())));
    }
}
