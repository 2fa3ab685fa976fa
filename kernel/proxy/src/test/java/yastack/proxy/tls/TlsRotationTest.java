package yastack.proxy.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import yastack.config.ConfigLoader;
import yastack.kernel.fixtures.FreePorts;
import yastack.proxy.ProxyEngine;
import yastack.proxy.fixtures.Engines;
import yastack.proxy.fixtures.TestPki;

/**
 * A listener's certificate changed by a reload (a rotated file name, an SDS secret) is served
 * from the next handshake while the listening sockets stay the very same kernel sockets (their
 * inodes), so nothing waiting in an accept queue is reset; connections made before it go on
 * with their session; a certificate whose key is not its own fails the reload and the old one
 * serves on (for a cluster's client certificate too).
 */
class TlsRotationTest {
    static Path dir;
    static TestPki pki;
    static ProxyEngine proxy;
    static int port;
    static SSLContext client;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("yastack-tls-rotation");
        pki = new TestPki(dir);
        pki.issue("first", "first.test");
        pki.issue("second", "second.test");
        port = FreePorts.next();
        proxy = Engines.start(ConfigLoader.parse(config("first.pem", "first.key"), dir), 2);
        client = trusting(dir.resolve("ca.pem"));
    }

    @AfterAll
    static void stop() {
        if (proxy != null) proxy.close();
    }

    static String config(String cert, String key) {
        return """
                listeners:
                  - name: rotating
                    address: 127.0.0.1
                    port: %d
                    tls: {certificates: [{cert: %s, key: %s}]}
                    http:
                      route_config:
                        virtual_hosts: [{name: all, domains: ["*"], routes: [{match: {prefix: "/"}, direct_response: {status: 200, body: "ok"}}]}]
                """.formatted(port, cert, key);
    }

    @Test
    void aNewCertificateServesFromTheNextHandshakeOnTheSameSockets() throws Exception {
        Set<Long> before = listeningInodes(port);
        assertEquals(2, before.size(), "one SO_REUSEPORT socket per worker: " + before);
        try (SSLSocket early = connect()) {
            assertTrue(peerNames(early).contains("first.test"));
            assertEquals("ok", get(early));

            proxy.proxy().reload(ConfigLoader.parse(config("second.pem", "second.key"), dir).bootstrap());

            assertEquals(before, listeningInodes(port), "the listening sockets were not closed and bound again");
            try (SSLSocket late = connect()) {
                assertTrue(peerNames(late).contains("second.test"), peerNames(late).toString());
                assertEquals("ok", get(late));
            }
            assertEquals("ok", get(early), "a connection made before the rotation keeps its session");
            assertTrue(proxy.proxy().certificates().stream().anyMatch(c -> sanOf(c).contains("second.test")));
            assertFalse(proxy.proxy().certificates().stream().anyMatch(c -> sanOf(c).contains("first.test")));
        } finally {
            proxy.proxy().reload(ConfigLoader.parse(config("first.pem", "first.key"), dir).bootstrap());
        }
    }

    @Test
    void aCertificateThatDoesNotMatchItsKeyFailsTheReloadAndTheOldOneServesOn() throws Exception {
        Set<Long> before = listeningInodes(port);
        RuntimeException e = assertThrows(RuntimeException.class,
                () -> proxy.proxy().reload(ConfigLoader.parse(config("second.pem", "first.key"), dir).bootstrap()));
        assertTrue(e.getMessage().contains("listener rotating") && e.getMessage().contains("key values mismatch"), e.getMessage());
        assertEquals(before, listeningInodes(port));
        try (SSLSocket s = connect()) {
            assertTrue(peerNames(s).contains("first.test"));
            assertEquals("ok", get(s));
        }
    }

    @Test
    void aClusterClientCertificateMustMatchItsKeyToo() throws Exception {
        String yaml = config("first.pem", "first.key") + """
                clusters:
                  - {name: mutual, tls: {sni: up.test, ca: ca.pem, cert: second.pem, key: first.key}, endpoints: [{address: 127.0.0.1, port: 9}]}
                """;
        RuntimeException e = assertThrows(RuntimeException.class, () -> proxy.proxy().reload(ConfigLoader.parse(yaml, dir).bootstrap()));
        assertTrue(e.getMessage().contains("cluster mutual") && e.getMessage().contains("key values mismatch"), e.getMessage());
    }

    private static SSLSocket connect() throws Exception {
        SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", port);
        s.setSoTimeout(10_000);
        SSLParameters p = s.getSSLParameters();
        p.setServerNames(List.of(new SNIHostName("any.test")));
        s.setSSLParameters(p);
        s.startHandshake();
        return s;
    }

    private static String peerNames(SSLSocket s) throws Exception {
        X509Certificate leaf = (X509Certificate) s.getSession().getPeerCertificates()[0];
        return String.valueOf(leaf.getSubjectAlternativeNames());
    }

    /** One keep-alive GET on {@code s}; the response body. */
    private static String get(SSLSocket s) throws Exception {
        s.getOutputStream().write("GET / HTTP/1.1\r\nHost: any.test\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        InputStream in = s.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) throw new AssertionError("connection closed after " + head);
            head.write(b);
        }
        String h = head.toString(StandardCharsets.US_ASCII);
        assertTrue(h.startsWith("HTTP/1.1 200"), h);
        int length = Integer.parseInt(h.replaceAll("(?is).*content-length:\\s*(\\d+).*", "$1"));
        return new String(in.readNBytes(length), StandardCharsets.US_ASCII);
    }

    private static String sanOf(LoadedCertificate c) {
        try {
            return String.valueOf(c.certificate().getSubjectAlternativeNames());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static SSLContext trusting(Path caPem) throws Exception {
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        try (InputStream in = Files.newInputStream(caPem)) {
            ks.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext c = SSLContext.getInstance("TLS");
        c.init(null, tmf.getTrustManagers(), null);
        return c;
    }

    /** The inodes of the kernel's listening sockets on {@code port} (IPv4 and IPv6 tables). */
    private static Set<Long> listeningInodes(int port) throws Exception {
        Set<Long> inodes = new HashSet<>();
        String hexPort = String.format(":%04X", port);
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            for (String line : Files.readAllLines(Path.of(table))) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 9 && f[1].endsWith(hexPort) && f[3].equals("0A")) inodes.add(Long.parseLong(f[9]));
            }
        }
        return inodes;
    }
}
