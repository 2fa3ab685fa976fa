package yastack.proxy.tls;

import yastack.kernel.fixtures.FreePorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import yastack.config.ConfigLoader;
import yastack.proxy.ProxyEngine;
import yastack.proxy.fixtures.Engines;
import yastack.proxy.fixtures.TestPki;
import yastack.proxy.fixtures.TestUpstream;

/**
 * TLS through the real proxy, checked with curl: SNI picks the certificate, ALPN gives h2
 * or http/1.1, client certificates are required where configured, cluster TLS origination
 * verifies SNI against the CA, certificate files reload live, and handshakes are counted.
 */
class TlsTest {
    static Path dir;
    static TestPki pki;
    static TestUpstream upstream;
    static ProxyEngine proxy;
    static int tlsPort, mtlsPort, frontPort;

    static int free() throws Exception {
        return FreePorts.next();
    }

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("yastack-tls");
        pki = new TestPki(dir);
        pki.issue("a", "a.test", "www.a.test");
        pki.issue("b", "b.test");
        pki.issue("client", "client.test");
        upstream = new TestUpstream("plain");
        tlsPort = free();
        mtlsPort = free();
        frontPort = free();
        String yaml = """
                listeners:
                  - name: secure
                    address: 127.0.0.1
                    port: %d
                    tls:
                      certificates: [{cert: a.pem, key: a.key}, {cert: b.pem, key: b.key}]
                      alpn: [h2, http/1.1]
                    http:
                      route_config:
                        virtual_hosts: [{name: all, domains: ["*"], routes: [{match: {prefix: "/"}, route: {cluster: plain}}]}]
                  - name: mtls
                    address: 127.0.0.1
                    port: %d
                    tls:
                      certificates: [{cert: b.pem, key: b.key}]
                      client_ca: ca.pem
                    http:
                      route_config:
                        virtual_hosts: [{name: all, domains: ["*"], routes: [{match: {prefix: "/"}, direct_response: {status: 200, body: "mtls ok"}}]}]
                  - name: front
                    address: 127.0.0.1
                    port: %d
                    http:
                      route_config:
                        virtual_hosts:
                          - name: all
                            domains: ["*"]
                            routes:
                              - {match: {prefix: "/wrongname"}, route: {cluster: wrong_sni}}
                              - {match: {prefix: "/mutual"}, route: {cluster: mutual}}
                              - {match: {prefix: "/nocert"}, route: {cluster: no_client_cert}}
                              - {match: {prefix: "/"}, route: {cluster: secure_up}}
                clusters:
                  - {name: plain, endpoints: [{address: 127.0.0.1, port: %d}]}
                  - {name: secure_up, tls: {sni: b.test, ca: ca.pem}, endpoints: [{address: 127.0.0.1, port: %d}]}
                  - {name: wrong_sni, tls: {sni: nobody.test, ca: ca.pem}, endpoints: [{address: 127.0.0.1, port: %d}]}
                  - {name: mutual, tls: {sni: b.test, ca: ca.pem, cert: client.pem, key: client.key}, endpoints: [{address: 127.0.0.1, port: %d}]}
                  - {name: no_client_cert, tls: {sni: b.test, ca: ca.pem}, endpoints: [{address: 127.0.0.1, port: %d}]}
                """.formatted(tlsPort, mtlsPort, frontPort, upstream.port(), tlsPort, tlsPort, mtlsPort, mtlsPort);
        Path cfg = dir.resolve("yastack.yaml");
        Files.writeString(cfg, yaml);
        proxy = Engines.start(ConfigLoader.load(cfg), 2);
    }

    @AfterAll
    static void stop() {
        if (proxy != null) proxy.close();
        if (upstream != null) upstream.close();
    }

    private static String curl(String... args) throws Exception {
        String[] cmd = new String[args.length + 4];
        cmd[0] = "curl";
        cmd[1] = "-sS";
        cmd[2] = "--max-time";
        cmd[3] = "10";
        System.arraycopy(args, 0, cmd, 4, args.length);
        return pki.exec(false, cmd);
    }

    private static String resolve(String host, int port) {
        return host + ":" + port + ":127.0.0.1";
    }

    @Test
    void sniSelectsTheCertificateAndAlpnNegotiatesH2() throws Exception {
        String a = curl("-v", "--http2", "--cacert", "ca.pem", "--resolve", resolve("www.a.test", tlsPort),
                "https://www.a.test:" + tlsPort + "/hello");
        assertTrue(a.contains("subject: CN=a.test"), a);
        assertTrue(a.contains("ALPN: server accepted h2") || a.contains("ALPN, server accepted to use h2"), a);
        assertTrue(a.contains("upstream=plain") && a.contains("uri=/hello"), a);
        assertTrue(a.contains("h:x-forwarded-proto=https"), a);
        String b = curl("-v", "--http1.1", "--cacert", "ca.pem", "--resolve", resolve("b.test", tlsPort),
                "https://b.test:" + tlsPort + "/x");
        assertTrue(b.contains("subject: CN=b.test"), b);
        assertTrue(b.contains("upstream=plain"), b);
        assertTrue(b.contains("TLSv1.3") || b.contains("TLSv1.2"), b);
    }

    @Test
    void h2MultiplexesManyRequestsOverOneConnection() throws Exception {
        StringBuilder urls = new StringBuilder();
        String[] args = new String[8 + 20];
        int i = 0;
        args[i++] = "--http2";
        args[i++] = "--cacert";
        args[i++] = "ca.pem";
        args[i++] = "--resolve";
        args[i++] = resolve("a.test", tlsPort);
        args[i++] = "-w";
        args[i++] = "%{http_version} %{response_code}\\n";
        args[i++] = "-Z";
        for (int k = 0; k < 20; k++) args[i++] = "https://a.test:" + tlsPort + "/status/201";
        String out = curl(args);
        assertEquals(20, out.split("2 201", -1).length - 1, out);
    }

    @Test
    void clientCertificateRequiredWhereConfigured() throws Exception {
        String without = curl("--cacert", "ca.pem", "--resolve", resolve("b.test", mtlsPort), "https://b.test:" + mtlsPort + "/");
        assertTrue(!without.contains("mtls ok"), without);
        String with = curl("--cacert", "ca.pem", "--cert", "client.pem", "--key", "client.key",
                "--resolve", resolve("b.test", mtlsPort), "https://b.test:" + mtlsPort + "/");
        assertEquals("mtls ok", with);
        assertTrue(proxy.proxy().stats().value("listener.mtls.ssl.connection_error") >= 1);
    }

    @Test
    void clusterOriginationVerifiesTheNameAgainstTheCa() throws Exception {
        String ok = curl("http://127.0.0.1:" + frontPort + "/through");
        assertTrue(ok.contains("upstream=plain") && ok.contains("uri=/through"), ok);
        String bad = curl("-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:" + frontPort + "/wrongname");
        assertEquals("503", bad.trim());
        assertTrue(proxy.proxy().stats().value("cluster.secure_up.ssl.handshake") >= 1);
    }

    @Test
    void certificateFilesReloadLive() throws Exception {
        String before = pki.run("openssl", "x509", "-in", "a.pem", "-noout", "-serial").trim();
        pki.issue("a2", "a.test", "www.a.test");
        String after = pki.run("openssl", "x509", "-in", "a2.pem", "-noout", "-serial").trim();
        assertNotEquals(before, after);
        Files.copy(dir.resolve("a2.key"), dir.resolve("a.key"), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(dir.resolve("a2.pem"), dir.resolve("a.pem"), StandardCopyOption.REPLACE_EXISTING);
        String expected = after.substring(after.indexOf('=') + 1).toLowerCase();
        String seen = "";
        for (int i = 0; i < 50 && !seen.contains(expected); i++) {
            Thread.sleep(100);
            seen = pki.exec(false, "sh", "-c", "echo | openssl s_client -connect 127.0.0.1:" + tlsPort
                    + " -servername a.test 2>/dev/null | openssl x509 -noout -serial").toLowerCase();
        }
        assertTrue(seen.contains(expected), "serving " + seen + ", expected serial " + expected);
        assertTrue(proxy.proxy().stats().value("listener.secure.ssl.handshake") >= 1);
    }

    @Test
    void aClusterPresentsItsClientCertificateToAnUpstreamThatRequiresOne() throws Exception {
        String mutual = curl("-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:" + frontPort + "/mutual");
        assertEquals("200", mutual.trim(), "the mtls listener accepted the cluster's client certificate");
        String refused = curl("-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:" + frontPort + "/nocert");
        // TLS 1.3: the client's side of the handshake completes, and the server's refusal comes
        // as an alert and a close before any response (a reset before the response head: 502).
        assertEquals("502", refused.trim(), "without a client certificate the upstream refuses the connection");
    }

    @Test
    void loadedCertificatesAreListedWithWhenTheyExpire() throws Exception {
        var all = proxy.proxy().certificates();
        String clientSerial = pki.run("openssl", "x509", "-in", "client.pem", "-noout", "-serial").trim();
        var mutual = all.stream().filter(c -> c.owner().equals("cluster mutual") && c.role().equals("cert_chain")).toList();
        assertEquals(1, mutual.size(), all.toString());
        assertEquals(clientSerial.substring(clientSerial.indexOf('=') + 1).toLowerCase(),
                mutual.getFirst().describe(java.time.Instant.now()).get("serial_number"));
        assertTrue(all.stream().anyMatch(c -> c.owner().equals("listener mtls") && c.role().equals("ca_cert")), all.toString());
        assertTrue(all.stream().anyMatch(c -> c.owner().equals("listener secure") && c.role().equals("cert_chain")), all.toString());
        // The test CA issues for two days: the first chain to expire has one whole day left.
        assertEquals(1, proxy.proxy().stats().value("server.days_until_first_cert_expiring"));
    }

    @Test
    void certificatesWrittenInlineServeLikeFiles() throws Exception {
        int port = free();
        String yaml = """
                listeners:
                  - name: inline
                    address: 127.0.0.1
                    port: %d
                    tls: {certificates: [{cert_pem: "%s", key_pem: "%s"}]}
                    http:
                      route_config:
                        virtual_hosts: [{name: all, domains: ["*"], routes: [{match: {prefix: "/"}, direct_response: {status: 200, body: "inline ok"}}]}]
                """.formatted(port, yamlQuoted(Files.readString(dir.resolve("b.pem"))), yamlQuoted(Files.readString(dir.resolve("b.key"))));
        try (ProxyEngine inline = Engines.start(ConfigLoader.parse(yaml, dir), 1)) {
            String out = curl("--cacert", dir.resolve("ca.pem").toString(), "--resolve", resolve("b.test", port),
                    "https://b.test:" + port + "/");
            assertEquals("inline ok", out.trim());
        }
    }

    private static String yamlQuoted(String text) {
        return text.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
