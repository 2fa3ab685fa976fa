package yastack.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static yastack.server.XdsFixture.NODE;

import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import yastack.dist.Envoy;
import yastack.proxy.fixtures.TestPki;
import yastack.proxy.fixtures.TestUpstream;

/**
 * A listener's certificate from SDS over the ADS stream, through the real proxy and
 * java-control-plane: the listener waits for its secret, serves the secret's certificate once
 * it comes, serves the next one when the control plane rotates it, and the config dump never
 * shows the key.
 */
class XdsSecretsTest {
    static final String SDS = "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret";

    TestUpstream a;
    XdsFixture xds;
    Path dir;
    TestPki pki;

    @BeforeEach
    void start() throws Exception {
        a = new TestUpstream("a");
        xds = new XdsFixture("GRPC", "");
        dir = Files.createTempDirectory("yastack-sds");
        pki = new TestPki(dir);
        pki.issue("one", "sds.test");
        pki.issue("two", "sds.test");
    }

    @AfterEach
    void stop() throws Exception {
        if (xds != null) xds.close();
        if (a != null) a.close();
        if (pki != null) pki.exec(false, "rm", "-rf", dir.toString());
    }

    private void push(String version, List<Secret> secrets) {
        Listener web = Envoy.withSdsCertificate(Envoy.httpListener("web", xds.port, "routes"), "edge-cert");
        xds.cp.set(NODE, version, List.of(Envoy.edsCluster("api"), Envoy.edsCluster("bapi")), XdsFixture.endpoints(a.port(), a.port()),
                List.of(web), List.of(Envoy.routes("routes", "/", "api")), secrets);
    }

    private Secret secret(String name) throws Exception {
        return Envoy.certificateSecret("edge-cert", Files.readString(dir.resolve(name + ".pem")), Files.readString(dir.resolve(name + ".key")));
    }

    private String serial(String name) throws Exception {
        String line = pki.run("openssl", "x509", "-in", name + ".pem", "-noout", "-serial").trim();
        return line.substring(line.indexOf('=') + 1).toLowerCase();
    }

    /** The serial of the certificate the listener serves, or "" when no handshake completes. */
    private String served() throws Exception {
        return pki.exec(false, "sh", "-c", "echo | timeout 5 openssl s_client -connect 127.0.0.1:" + xds.port
                + " -servername sds.test 2>/dev/null | openssl x509 -noout -serial 2>/dev/null").trim().toLowerCase()
                .replace("serial=", "");
    }

    /** The status of an HTTPS request that verifies the certificate against the test CA. */
    private String curl() throws Exception {
        return pki.exec(false, "curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "5", "--cacert", dir.resolve("ca.pem").toString(),
                "--resolve", "sds.test:" + xds.port + ":127.0.0.1", "https://sds.test:" + xds.port + "/hello");
    }

    @Test
    void aListenersCertificateComesOverSdsAndRotates() throws Exception {
        push("1", List.of());
        xds.cp.await(r -> r.getTypeUrl().equals(SDS) && r.getResourceNamesList().contains("edge-cert"), "the SDS subscription");
        JsonObject waiting = new JsonObject(xds.admin("/config_dump").body()).getJsonObject("xds");
        assertEquals("warming", waiting.getJsonObject("listeners").getJsonArray("dynamic").getJsonObject(0).getString("state"),
                "no certificate yet: the listener waits");
        assertEquals("", served());

        push("2", List.of(secret("one")));
        xds.cp.awaitAck(SDS, "2");
        String seen = "";
        for (int i = 0; i < 50 && !(seen = served()).equals(serial("one")); i++) Thread.sleep(100);
        assertEquals(serial("one"), seen);
        assertEquals("200", curl(), "an HTTPS request through the SDS certificate reaches the upstream");

        push("3", List.of(secret("two")));
        xds.cp.awaitAck(SDS, "3");
        for (int i = 0; i < 50 && !(seen = served()).equals(serial("two")); i++) Thread.sleep(100);
        assertEquals(serial("two"), seen, "the rotated certificate is served");

        String dump = xds.admin("/config_dump").body();
        JsonObject secrets = new JsonObject(dump).getJsonObject("xds").getJsonObject("secrets");
        assertEquals("edge-cert", secrets.getJsonArray("dynamic").getJsonObject(0).getString("name"));
        assertTrue(dump.contains("[redacted]"), dump);
        assertFalse(dump.contains("PRIVATE KEY"), "the key is never dumped");
    }
}
