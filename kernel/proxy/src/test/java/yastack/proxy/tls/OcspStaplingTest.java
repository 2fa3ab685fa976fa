package yastack.proxy.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Date;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPRespBuilder;
import org.bouncycastle.cert.ocsp.RespID;
import org.bouncycastle.cert.ocsp.jcajce.JcaBasicOCSPRespBuilder;
import org.bouncycastle.cert.ocsp.jcajce.JcaCertificateID;
import org.bouncycastle.operator.DigestCalculatorProvider;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import yastack.config.ConfigLoader;
import yastack.kernel.fixtures.FreePorts;
import yastack.proxy.ProxyEngine;
import yastack.proxy.fixtures.Engines;
import yastack.proxy.fixtures.TestPki;

/**
 * OCSP stapling through the real proxy, checked with {@code openssl s_client -status}: a
 * response made by {@code openssl ocsp} is stapled, an expired one is left out (lenient) or
 * fails the handshake (strict), a renewed file is picked up live, and a response for another
 * certificate keeps the proxy from starting.
 */
class OcspStaplingTest {
    static Path dir;
    static TestPki pki;

    @BeforeAll
    static void pki() throws Exception {
        dir = Files.createTempDirectory("yastack-ocsp");
        pki = new TestPki(dir);
        pki.issue("a", "a.test");
        pki.issue("b", "b.test");
        // The CA's database as `openssl ca` keeps it, so `openssl ocsp` can answer for a.pem.
        String serial = pki.run("openssl", "x509", "-in", "a.pem", "-noout", "-serial").trim().substring("serial=".length());
        Files.writeString(dir.resolve("index.txt"), "V\t991231235959Z\t\t" + serial + "\tunknown\t/CN=a.test\n");
        pki.run("openssl", "ocsp", "-issuer", "ca.pem", "-cert", "a.pem", "-no_nonce", "-reqout", "a.req");
        pki.run("openssl", "ocsp", "-index", "index.txt", "-rsigner", "ca.pem", "-rkey", "ca.key", "-CA", "ca.pem",
                "-reqin", "a.req", "-respout", "a.ocsp", "-ndays", "1");
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (pki != null) pki.exec(false, "rm", "-rf", dir.toString());
    }

    private static ProxyEngine start(String name, String staple, String policy, int port) throws Exception {
        String yaml = """
                listeners:
                  - name: %s
                    address: 127.0.0.1
                    port: %d
                    tls: {certificates: [{cert: a.pem, key: a.key, ocsp_staple: %s}], ocsp_staple_policy: %s}
                    http:
                      route_config:
                        virtual_hosts: [{name: all, domains: ["*"], routes: [{match: {prefix: "/"}, direct_response: {status: 200, body: "ok"}}]}]
                """.formatted(name, port, staple, policy);
        Path cfg = dir.resolve(name + ".yaml");
        Files.writeString(cfg, yaml);
        return Engines.start(ConfigLoader.load(cfg), 1);
    }

    /** What {@code s_client -status} printed about the staple, and whether the handshake completed. */
    private static String handshake(int port) throws Exception {
        return pki.exec(false, "sh", "-c", "echo | timeout 10 openssl s_client -connect 127.0.0.1:" + port
                + " -servername a.test -status 2>&1");
    }

    @Test
    void aResponseFromOpensslIsStapled() throws Exception {
        int port = FreePorts.next();
        try (ProxyEngine proxy = start("stapled", "a.ocsp", "strict_stapling", port)) {
            String out = handshake(port);
            assertTrue(out.contains("OCSP Response Status: successful"), out);
            assertTrue(out.contains("Cert Status: good"), out);
            assertEquals(0, proxy.proxy().stats().value("listener.stapled.ssl.ocsp_staple_failed"));
        }
    }

    @Test
    void anExpiredStapleIsLeftOutUntilTheFileIsRenewed() throws Exception {
        long now = System.currentTimeMillis();
        Files.write(dir.resolve("renewed.ocsp"), response("a.pem", now - 7_200_000, now - 3_600_000));
        int port = FreePorts.next();
        try (ProxyEngine proxy = start("lenient", "renewed.ocsp", "lenient_stapling", port)) {
            String out = handshake(port);
            assertTrue(out.contains("OCSP response: no response sent") && out.contains("Verify return code"), out);
            assertTrue(proxy.proxy().stats().value("listener.lenient.ssl.ocsp_staple_omitted") >= 1);
            Files.copy(dir.resolve("a.ocsp"), dir.resolve("renewed.ocsp"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            for (int i = 0; i < 50 && !out.contains("Cert Status: good"); i++) {
                Thread.sleep(100);
                out = handshake(port);
            }
            assertTrue(out.contains("Cert Status: good"), "the renewed staple is served: " + out);
        }
    }

    @Test
    void strictStaplingFailsHandshakesOnceTheStapleExpires() throws Exception {
        long now = System.currentTimeMillis();
        // Long enough for a cold start and the first handshake (classes to load, a JIT to warm).
        long expires = now + 6_000;
        Files.write(dir.resolve("short.ocsp"), response("a.pem", now - 60_000, expires));
        int port = FreePorts.next();
        try (ProxyEngine proxy = start("strict", "short.ocsp", "strict_stapling", port)) {
            String first = handshake(port);
            assertTrue(first.contains("Cert Status: good"), first);
            Thread.sleep(Math.max(0, expires + 100 - System.currentTimeMillis()));
            String out = handshake(port);
            assertTrue(out.contains("no peer certificate available") && !out.contains("Cert Status"), out);
            assertEquals(1, proxy.proxy().stats().value("listener.strict.ssl.ocsp_staple_failed"));
        }
    }

    @Test
    void aStapleForAnotherCertificateOrExpiredUnderStrictKeepsTheProxyFromStarting() throws Exception {
        Files.copy(dir.resolve("a.ocsp"), dir.resolve("for-a.ocsp"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        String yaml = """
                listeners:
                  - name: mixed
                    address: 127.0.0.1
                    port: %d
                    tls: {certificates: [{cert: b.pem, key: b.key, ocsp_staple: for-a.ocsp}]}
                    http:
                      route_config:
                        virtual_hosts: [{name: all, domains: ["*"], routes: [{match: {prefix: "/"}, direct_response: {status: 200}}]}]
                """.formatted(FreePorts.next());
        Path cfg = dir.resolve("mixed.yaml");
        Files.writeString(cfg, yaml);
        Throwable e = assertThrows(RuntimeException.class, () -> Engines.start(ConfigLoader.load(cfg), 1).close());
        assertTrue(message(e).contains("tls.certificates[0].ocsp_staple for-a.ocsp: it answers for another certificate"),
                message(e));

        long now = System.currentTimeMillis();
        Files.write(dir.resolve("old.ocsp"), response("a.pem", now - 7_200_000, now - 3_600_000));
        Throwable expired = assertThrows(RuntimeException.class,
                () -> start("old", "old.ocsp", "must_staple", FreePorts.next()).close());
        assertTrue(message(expired).contains("expired, which ocsp_staple_policy must_staple refuses"), message(expired));
    }

    private static String message(Throwable e) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) all.append(t.getMessage()).append(" / ");
        return all.toString();
    }

    /** A signed "good" answer for {@code certFile} valid from {@code thisUpdate} to {@code nextUpdate} (ms). */
    private static byte[] response(String certFile, long thisUpdate, long nextUpdate) throws Exception {
        X509Certificate ca = certificate("ca.pem"), cert = certificate(certFile);
        String pem = Files.readString(dir.resolve("ca.key")).replaceAll("-----[A-Z ]+-----|\\s", "");
        PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
        DigestCalculatorProvider digests = new JcaDigestCalculatorProviderBuilder().build();
        JcaBasicOCSPRespBuilder b = new JcaBasicOCSPRespBuilder(ca.getPublicKey(), digests.get(RespID.HASH_SHA1));
        b.addResponse(new JcaCertificateID(digests.get(CertificateID.HASH_SHA1), ca, cert.getSerialNumber()),
                CertificateStatus.GOOD, new Date(thisUpdate), new Date(nextUpdate), null);
        BasicOCSPResp basic = b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key),
                new X509CertificateHolder[] {new JcaX509CertificateHolder(ca)}, new Date(thisUpdate));
        return new OCSPRespBuilder().build(OCSPRespBuilder.SUCCESSFUL, basic).getEncoded();
    }

    private static X509Certificate certificate(String file) throws Exception {
        try (InputStream in = Files.newInputStream(dir.resolve(file))) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }
}
