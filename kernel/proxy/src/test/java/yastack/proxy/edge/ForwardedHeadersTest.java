package yastack.proxy.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import yastack.proxy.fixtures.ProxyHarness;

/**
 * Envoy's use_remote_address and xff_num_trusted_hops: what goes upstream in
 * x-forwarded-for, x-forwarded-proto and x-request-id, and which client address plugins
 * see (the access log's "client", written from the stream view plugins and scripts get).
 */
class ForwardedHeadersTest extends OneUpstream {
    static final Pattern CLIENT = Pattern.compile("\"client\":\"([^\"]*)\"");

    /** One request through a listener with {@code settings}; the upstream's echo and the client the access log names. */
    static String[] send(String settings, String... headers) throws Exception {
        Path log = Files.createTempFile("yastack-xff", ".log");
        try (ProxyHarness p = new ProxyHarness(ProxyHarness.singleRoute("access_log: {path: " + log + "}\n      " + settings,
                up.port()), 1)) {
            String body = p.get("/echo", headers).body();
            List<String> lines = List.of();
            for (int i = 0; i < 100 && lines.isEmpty(); i++) {
                Thread.sleep(20);
                lines = Files.readAllLines(log);
            }
            Matcher m = CLIENT.matcher(lines.getFirst());
            assertTrue(m.find(), lines.getFirst());
            return new String[] {body, m.group(1)};
        } finally {
            Files.deleteIfExists(log);
        }
    }

    static final String[] SPOOFING = {"x-forwarded-for", "203.0.113.9, 198.51.100.7", "x-forwarded-proto", "https",
            "x-request-id", "client-chosen-id"};

    @Test
    void theEdgeTrustsNothingTheClientSays() throws Exception {
        String[] r = send("", SPOOFING);
        assertTrue(r[0].contains("h:x-forwarded-for=203.0.113.9, 198.51.100.7, 127.0.0.1\n"), "appended: " + r[0]);
        assertTrue(r[0].contains("h:x-forwarded-proto=http\n"), "set from the connection: " + r[0]);
        assertFalse(r[0].contains("client-chosen-id"), "a fresh request id: " + r[0]);
        assertEquals("127.0.0.1", r[1], "plugins see the peer");
    }

    @Test
    void preserveExternalRequestIdKeepsTheClientsId() throws Exception {
        String[] r = send("preserve_external_request_id: true", SPOOFING);
        assertTrue(r[0].contains("h:x-request-id=client-chosen-id\n"), r[0]);
        assertTrue(r[0].contains("h:x-forwarded-proto=http\n"), r[0]);
    }

    @Test
    void trustedHopsPickTheClientFromTheRight() throws Exception {
        String[] r = send("xff_num_trusted_hops: 1", SPOOFING);
        assertEquals("198.51.100.7", r[1], "the one trusted proxy in front named this client");
        assertTrue(r[0].contains("h:x-forwarded-for=203.0.113.9, 198.51.100.7, 127.0.0.1\n"), r[0]);
        assertTrue(r[0].contains("h:x-forwarded-proto=https\n"), "a trusted proxy's proto is kept: " + r[0]);
        assertTrue(r[0].contains("h:x-request-id=client-chosen-id\n"), "and its request id: " + r[0]);
        assertEquals("127.0.0.1", send("xff_num_trusted_hops: 3", SPOOFING)[1], "fewer entries than hops: the peer");
    }

    @Test
    void withoutRemoteAddressTheForwardedForIsTheTruth() throws Exception {
        String[] r = send("use_remote_address: false", SPOOFING);
        assertEquals("198.51.100.7", r[1]);
        assertTrue(r[0].contains("h:x-forwarded-for=203.0.113.9, 198.51.100.7\n"), "passed on unchanged: " + r[0]);
        assertEquals("203.0.113.9", send("use_remote_address: false\n      xff_num_trusted_hops: 1", SPOOFING)[1]);
        assertEquals("127.0.0.1", send("use_remote_address: false", "x-forwarded-for", "not-an-ip")[1],
                "an entry that is not an address: the peer");
    }
}
