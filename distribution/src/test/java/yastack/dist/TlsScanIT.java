package yastack.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import yastack.kernel.fixtures.Needs;

/**
 * testssl.sh against the built proxy's TLS listener with the default settings: TLS 1.2 and
 * 1.3 only, no NULL, anonymous, export, LOW, 3DES or CBC suites, forward secrecy on secure
 * curves only, no client-initiated renegotiation. About a minute: testssl.sh probes every
 * protocol and cipher category with real handshakes.
 */
class TlsScanIT {
    static final Pattern ENTRY = Pattern.compile("\"id\"\\s*:\\s*\"([^\"]+)\".*?\"finding\"\\s*:\\s*\"([^\"]*)\"", Pattern.DOTALL);

    @Test
    void testsslFindsOnlyModernTls() throws Exception {
        Needs.commands("the TLS scan", "testssl", "openssl");
        Path dir = Files.createTempDirectory("yastack-testssl");
        run(dir, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "rsa.key", "-out", "cert.pem",
                "-subj", "/CN=localhost", "-days", "2");
        run(dir, "openssl", "pkcs8", "-topk8", "-nocrypt", "-in", "rsa.key", "-out", "key.pem");
        int port = Dist.freePort(), admin = Dist.freePort();
        Path cfg = dir.resolve("yastack.yaml");
        Files.writeString(cfg, """
                admin: {address: 127.0.0.1, port: %d}
                listeners:
                  - name: secure
                    address: 127.0.0.1
                    port: %d
                    tls: {certificates: [{cert: cert.pem, key: key.pem}], alpn: [h2, http/1.1]}
                    http:
                      route_config:
                        virtual_hosts: [{name: all, domains: ["*"], routes: [{match: {prefix: "/"}, direct_response: {status: 200, body: ok}}]}]
                """.formatted(admin, port));
        Path log = dir.resolve("yastack.log");
        Process proxy = Dist.startRun(cfg, log, List.of());
        Map<String, String> findings;
        try {
            Dist.awaitReady(admin, proxy, log);
            Path json = dir.resolve("testssl.json");
            String out = run(dir, "testssl", "--quiet", "--color", "0", "--warnings", "off", "--jsonfile", json.toString(),
                    "-p", "-s", "-f", "-R", "127.0.0.1:" + port);
            findings = new HashMap<>();
            for (String object : Files.readString(json).split("\\}")) {
                Matcher m = ENTRY.matcher(object);
                if (m.find()) findings.put(m.group(1), m.group(2));
            }
            assertTrue(findings.size() > 10, out);
        } finally {
            Dist.stop(proxy);
        }
        for (String old : List.of("SSLv2", "SSLv3", "TLS1", "TLS1_1")) assertEquals("not offered", findings.get(old), old);
        assertEquals("offered", findings.get("TLS1_2"));
        assertTrue(findings.get("TLS1_3").startsWith("offered"), findings.get("TLS1_3"));
        for (String weak : List.of("cipherlist_NULL", "cipherlist_aNULL", "cipherlist_EXPORT", "cipherlist_LOW",
                "cipherlist_3DES_IDEA", "cipherlist_AVERAGE")) {
            assertEquals("not offered", findings.get(weak), weak);
        }
        assertEquals("offered", findings.get("cipherlist_STRONG"));
        assertEquals("offered", findings.get("PFS"));
        Set<String> secure = Set.of("X25519", "prime256v1", "secp384r1");
        for (String curve : findings.get("PFS_ECDHE_curves").split(" ")) assertTrue(secure.contains(curve), "curve " + curve);
        assertEquals("not vulnerable", findings.get("secure_client_renego"));
    }

    private static String run(Path dir, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", cmd) + " did not finish in 5 minutes");
        }
        return out;
    }
}
