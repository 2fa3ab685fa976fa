package yastack.proxy.tls;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import yastack.kernel.fixtures.Needs;
import yastack.proxy.fixtures.ProxyHarness;
import yastack.proxy.fixtures.TestPki;

/**
 * What a TLS listener offers, probed with openssl s_client: by default TLS 1.2 and 1.3 only,
 * ECDHE with AEAD suites only, X25519/P-256/P-384; tls.min_version, cipher_suites and
 * ecdh_curves narrow it. (distribution's TlsScanIT runs testssl.sh against the built proxy.)
 */
class TlsParametersTest {
    static Path dir;
    static TestPki pki;
    static ProxyHarness defaults;
    static int tight, only13;

    @BeforeAll
    static void start() throws Exception {
        Needs.commands("TLS parameter probes", "openssl");
        dir = Files.createTempDirectory("yastack-tlsparams");
        pki = new TestPki(dir);
        pki.issue("srv", "127.0.0.1");
        tight = ProxyHarness.freePort();
        do only13 = ProxyHarness.freePort(); while (only13 == tight);
        String cert = "{cert: " + pki.path("srv.pem") + ", key: " + pki.path("srv.key") + "}";
        defaults = new ProxyHarness("""
                listeners:
                  - name: defaults
                    address: 127.0.0.1
                    port: ${PORT}
                    tls: {certificates: [%s]}
                    http: {route_config: {virtual_hosts: [{name: a, domains: ["*"], routes: [{direct_response: {status: 200}}]}]}}
                  - name: tight12
                    address: 127.0.0.1
                    port: %d
                    tls: {certificates: [%s], cipher_suites: [ECDHE-ECDSA-AES256-GCM-SHA384], ecdh_curves: [P-384, P-256]}
                    http: {route_config: {virtual_hosts: [{name: a, domains: ["*"], routes: [{direct_response: {status: 200}}]}]}}
                  - name: only13
                    address: 127.0.0.1
                    port: %d
                    tls: {certificates: [%s], min_version: TLSv1_3}
                    http: {route_config: {virtual_hosts: [{name: a, domains: ["*"], routes: [{direct_response: {status: 200}}]}]}}
                """.formatted(cert, tight, cert, only13, cert), 1);
    }

    @AfterAll
    static void stop() {
        defaults.close();
    }

    /** Whether a handshake with {@code args} succeeds against {@code port}. */
    static boolean handshake(int port, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(new File("/dev/null")).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(20, TimeUnit.SECONDS), "s_client hung");
        return p.exitValue() == 0 && out.contains("Cipher is ") && !out.contains("Cipher is (NONE)");
    }

    @Test
    void defaultsOfferModernTlsOnly() throws Exception {
        int port = defaults.port;
        assertTrue(handshake(port, "-tls1_3"));
        assertTrue(handshake(port, "-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256"));
        assertTrue(handshake(port, "-tls1_2", "-cipher", "ECDHE-ECDSA-CHACHA20-POLY1305"));
        assertFalse(handshake(port, "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"), "TLS 1.1");
        assertFalse(handshake(port, "-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-SHA"), "CBC");
        assertFalse(handshake(port, "-tls1_2", "-cipher", "AES128-GCM-SHA256"), "static RSA key exchange");
        assertTrue(handshake(port, "-tls1_3", "-groups", "X25519"));
        assertTrue(handshake(port, "-tls1_3", "-groups", "P-384"));
        assertFalse(handshake(port, "-tls1_3", "-groups", "P-521"), "not a default curve");
    }

    @Test
    void theListenerCanTightenIt() throws Exception {
        assertTrue(handshake(tight, "-tls1_2", "-cipher", "ECDHE-ECDSA-AES256-GCM-SHA384"));
        assertTrue(handshake(tight, "-tls1_3", "-groups", "P-384"));
        assertFalse(handshake(tight, "-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256"), "a suite left out");
        assertFalse(handshake(tight, "-tls1_3", "-groups", "X25519"), "a curve left out");
        assertTrue(handshake(only13, "-tls1_3"));
        assertFalse(handshake(only13, "-tls1_2"), "min_version TLSv1_3");
    }
}
