package yastack.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static yastack.server.XdsFixture.NODE;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import yastack.dist.Envoy;
import yastack.proxy.fixtures.ProxyHarness;
import yastack.proxy.fixtures.TestPki;
import yastack.proxy.fixtures.TestUpstream;

/**
 * TLS secrets from SDS over the ADS stream, through the real proxy and java-control-plane: a
 * listener waits for its certificate, serves it once it comes and the next one when the control
 * plane rotates it, and the config dump never shows the key; a cluster gets its client
 * certificate and CA for mutual TLS with its upstream.
 */
class XdsSecretsTest {
    static final String SDS = "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret";
    static final ConfigSource ADS = ConfigSource.newBuilder().setAds(AggregatedConfigSource.getDefaultInstance()).build();

    TestUpstream a;
    XdsFixture xds;
    Path dir;
    TestPki pki;

    /** A static listener that answers only clients with a certificate from the test CA: the cluster test's upstream. */
    int meshPort;

    @BeforeEach
    void start() throws Exception {
        a = new TestUpstream("a");
        dir = Files.createTempDirectory("yastack-sds");
        pki = new TestPki(dir);
        pki.issue("one", "sds.test");
        pki.issue("two", "sds.test");
        pki.issue("up", "up.test");
        pki.issue("client", "client.test");
        meshPort = ProxyHarness.freePort();
        xds = new XdsFixture("GRPC", """
                listeners:
                  - name: meshup
                    address: 127.0.0.1
                    port: %d
                    tls: {certificates: [{cert: %s, key: %s}], client_ca: %s}
                    http: {route_config: {virtual_hosts: [{name: all, domains: ["*"], routes: [{match: {prefix: "/"}, direct_response: {status: 200, body: "mtls ok"}}]}]}}
                """.formatted(meshPort, dir.resolve("up.pem"), dir.resolve("up.key"), dir.resolve("ca.pem")));
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

    private io.vertx.core.json.JsonArray certificates() throws Exception {
        return new JsonObject(xds.admin("/certs").body()).getJsonArray("certificates");
    }

    /** The status of an HTTPS request that verifies the certificate against the test CA. */
    private String curl() throws Exception {
        return pki.exec(false, "curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "5", "--cacert", dir.resolve("ca.pem").toString(),
                "--resolve", "sds.test:" + xds.port + ":127.0.0.1", "https://sds.test:" + xds.port + "/hello");
    }

    @Test
    void aClustersClientCertificateAndCaComeOverSds() throws Exception {
        UpstreamTlsContext tls = UpstreamTlsContext.newBuilder().setSni("up.test").setCommonTlsContext(CommonTlsContext.newBuilder()
                .addTlsCertificateSdsSecretConfigs(SdsSecretConfig.newBuilder().setName("mesh-client").setSdsConfig(ADS))
                .setValidationContextSdsSecretConfig(SdsSecretConfig.newBuilder().setName("mesh-ca").setSdsConfig(ADS))).build();
        Cluster meshed = Cluster.newBuilder().setName("meshed").setType(Cluster.DiscoveryType.STATIC)
                .setLoadAssignment(Envoy.endpoints("meshed", "127.0.0.1", meshPort))
                .setTransportSocket(TransportSocket.newBuilder().setName("envoy.transport_sockets.tls").setTypedConfig(Any.pack(tls))).build();
        Secret ca = Secret.newBuilder().setName("mesh-ca").setValidationContext(CertificateValidationContext.newBuilder()
                .setTrustedCa(DataSource.newBuilder().setInlineString(Files.readString(dir.resolve("ca.pem"))))).build();
        Secret client = Envoy.certificateSecret("mesh-client", Files.readString(dir.resolve("client.pem")),
                Files.readString(dir.resolve("client.key")));
        xds.cp.set(NODE, "1", List.of(meshed), List.of(), List.of(Envoy.httpListener("web", xds.port, "routes")),
                List.of(Envoy.routes("routes", "/", "meshed")), List.of(ca, client));
        xds.cp.awaitAck(SDS, "1");
        xds.cp.awaitAck(XdsFixture.LDS, "1");
        // The listener binds once the cluster it routes to is warm, which is once both secrets came.
        String answer = "";
        for (int i = 0; i < 100 && !answer.equals("200 mtls ok"); i++) {
            try {
                HttpResponse<String> r = xds.get("/hello");
                answer = r.statusCode() + " " + r.body();
            } catch (java.io.IOException notYet) {
                answer = notYet.toString();
            }
            if (!answer.equals("200 mtls ok")) Thread.sleep(100);
        }
        assertEquals("200 mtls ok", answer,
                "the upstream accepted the client certificate from SDS, and the cluster verified the upstream with the CA from SDS");
        String dump = xds.admin("/config_dump").body();
        assertTrue(dump.contains("[redacted]"), dump);
        assertFalse(dump.contains("PRIVATE KEY"), "the client key is never dumped");
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
        assertEquals(2L, xds.stats().get("sds.edge-cert.update_success"), "Envoy's per-secret stats");
        JsonObject web = certificates().stream().map(JsonObject.class::cast)
                .filter(c -> c.getString("owner").equals("listener web")).findFirst().orElseThrow();
        assertEquals(serial("two"), web.getString("serial_number"), "/certs shows the rotated certificate");
        assertEquals("inline", web.getString("source"));
        assertEquals(1L, web.getLong("days_until_expiration"));

        String dump = xds.admin("/config_dump").body();
        JsonObject secrets = new JsonObject(dump).getJsonObject("xds").getJsonObject("secrets");
        assertEquals("edge-cert", secrets.getJsonArray("dynamic").getJsonObject(0).getString("name"));
        assertTrue(dump.contains("[redacted]"), dump);
        assertFalse(dump.contains("PRIVATE KEY"), "the key is never dumped");
    }
}
