package yastack.proxy.tls;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECPrivateKeySpec;
import java.util.Base64;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import yastack.api.config.ListenerTls;
import yastack.api.config.TlsCertificate;
import yastack.proxy.fixtures.TestPki;

/**
 * A key is matched to its certificate by the public half it carries where it carries one (what
 * openssl writes), by a signature where it does not, and refused either way when it belongs to
 * another certificate. Keys and certificates come from the openssl CLI, as operators make them.
 */
class KeyMatchTest {
    static Path dir;
    static TestPki pki;

    @BeforeAll
    static void keys() throws Exception {
        dir = Files.createTempDirectory("yastack-keymatch");
        pki = new TestPki(dir);
        pki.issue("ec", "ec.test");
        pki.issue("other", "other.test");
        pki.run("openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "rsa.key");
        pki.run("openssl", "req", "-x509", "-new", "-key", "rsa.key", "-subj", "/CN=rsa.test", "-days", "2", "-out", "rsa.pem");
        pki.run("openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "rsa2.key");
        pki.run("openssl", "req", "-x509", "-new", "-key", "rsa2.key", "-subj", "/CN=rsa2.test", "-days", "2", "-out", "rsa2.pem");
        pki.run("openssl", "genpkey", "-algorithm", "ED25519", "-out", "ed.key");
        pki.run("openssl", "req", "-x509", "-new", "-key", "ed.key", "-subj", "/CN=ed.test", "-days", "2", "-out", "ed.pem");
    }

    private static Pem pem(String file) {
        return Pem.of(file, "", dir);
    }

    private static X509Certificate cert(String file) throws Exception {
        return LoadedCertificate.read("test", "cert_chain", pem(file)).getFirst().certificate();
    }

    private static PrivateKey key(String file, String certFile) throws Exception {
        PrivateKey k = KeyMatch.read(pem(file), cert(certFile));
        assertNotNull(k, file + " is PKCS#8 the JDK reads");
        return k;
    }

    @Test
    void anOpensslEcKeyIsMatchedByThePointItCarries() throws Exception {
        PrivateKey ec = key("ec.key", "ec.pem");
        assertEquals(Boolean.TRUE, KeyMatch.samePublicHalf(ec, cert("ec.pem").getPublicKey()));
        assertEquals(Boolean.FALSE, KeyMatch.samePublicHalf(ec, cert("other.pem").getPublicKey()));
        assertDoesNotThrow(() -> KeyMatch.check(ec, pem("ec.key"), cert("ec.pem")));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> KeyMatch.check(ec, pem("ec.key"), cert("other.pem")));
        assertTrue(e.getMessage().contains("key values mismatch") && e.getMessage().contains("other.test"), e.getMessage());
    }

    @Test
    void aTruncatedOrAlteredKeyEncodingCarriesNoPointRatherThanThrowing() throws Exception {
        byte[] der = key("ec.key", "ec.pem").getEncoded();
        byte[] point = KeyMatch.carriedEcPoint(der);
        assertNotNull(point);
        assertEquals(65, point.length, "04 || X || Y for P-256");
        for (int n = 0; n < der.length; n++) {
            byte[] cut = java.util.Arrays.copyOf(der, n);
            assertDoesNotThrow(() -> KeyMatch.carriedEcPoint(cut));
            byte[] altered = der.clone();
            altered[n] ^= (byte) 0x80;
            assertDoesNotThrow(() -> KeyMatch.carriedEcPoint(altered));
        }
    }

    @Test
    void anEcKeyWithoutItsPublicHalfIsCheckedByASignature() throws Exception {
        ECPrivateKey full = (ECPrivateKey) key("ec.key", "ec.pem");
        // The same scalar in the JDK's encoding, which leaves the optional public key out.
        PrivateKey bare = KeyFactory.getInstance("EC").generatePrivate(new ECPrivateKeySpec(full.getS(), full.getParams()));
        assertNull(KeyMatch.samePublicHalf(bare, cert("ec.pem").getPublicKey()));
        String text = "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder().encodeToString(bare.getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
        Pem inline = Pem.of("", text, dir);
        PrivateKey read = KeyMatch.read(inline, cert("ec.pem"));
        assertDoesNotThrow(() -> KeyMatch.check(read, inline, cert("ec.pem")));
        assertThrows(IllegalStateException.class, () -> KeyMatch.check(read, inline, cert("other.pem")));
    }

    @Test
    void anRsaKeyIsMatchedByItsModulus() throws Exception {
        PrivateKey rsa = key("rsa.key", "rsa.pem");
        assertEquals(Boolean.TRUE, KeyMatch.samePublicHalf(rsa, cert("rsa.pem").getPublicKey()));
        assertEquals(Boolean.FALSE, KeyMatch.samePublicHalf(rsa, cert("rsa2.pem").getPublicKey()));
        assertDoesNotThrow(() -> KeyMatch.check(rsa, pem("rsa.key"), cert("rsa.pem")));
        assertThrows(IllegalStateException.class, () -> KeyMatch.check(rsa, pem("rsa.key"), cert("rsa2.pem")));
    }

    @Test
    void keysOfAnotherTypeThanTheCertificateAreRefused() throws Exception {
        PrivateKey rsa = key("rsa.key", "rsa.pem");
        PrivateKey ec = key("ec.key", "ec.pem");
        assertThrows(IllegalStateException.class, () -> KeyMatch.check(rsa, pem("rsa.key"), cert("ec.pem")));
        assertThrows(IllegalStateException.class, () -> KeyMatch.check(ec, pem("ec.key"), cert("rsa.pem")));
    }

    @Test
    void anEd25519KeyIsCheckedByASignature() throws Exception {
        PrivateKey ed = key("ed.key", "ed.pem");
        assertNull(KeyMatch.samePublicHalf(ed, cert("ed.pem").getPublicKey()));
        assertDoesNotThrow(() -> KeyMatch.check(ed, pem("ed.key"), cert("ed.pem")));
        assertThrows(IllegalStateException.class, () -> KeyMatch.check(ed, pem("ed.key"), cert("ec.pem")));
    }

    @Test
    void listenersServeEachKeyTypeHandedOverAsAKey() throws Exception {
        for (String name : new String[] {"ec", "rsa", "ed"}) {
            ListenerTls config = ListenerTls.newBuilder()
                    .addCertificates(TlsCertificate.newBuilder().setCert(name + ".pem").setKey(name + ".key")).build();
            try (ServerTls tls = new ServerTls(name, config, dir)) {
                assertNotNull(tls.map(name + ".test"), name);
            }
        }
    }

    @Test
    void aKeyInAnotherFormatIsLeftToTheTlsLibrary() throws Exception {
        pki.run("openssl", "ec", "-in", "ec.key", "-out", "ec-sec1.key"); // "BEGIN EC PRIVATE KEY"
        assertNull(KeyMatch.read(pem("ec-sec1.key"), cert("ec.pem")));
        ListenerTls config = ListenerTls.newBuilder()
                .addCertificates(TlsCertificate.newBuilder().setCert("ec.pem").setKey("ec-sec1.key")).build();
        try (ServerTls tls = new ServerTls("sec1", config, dir)) {
            assertNotNull(tls.map("ec.test"), "the TLS library read the SEC 1 key");
        }
    }
}
