package yastack.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import yastack.proxy.fixtures.TestUpstream;

/**
 * The built {@code bin/yastack} (gRPC, the Envoy classes and all on the module path) under
 * a real control plane, java-control-plane in this JVM on a real port.
 */
class XdsIT {
    private static final String LDS = "type.googleapis.com/envoy.config.listener.v3.Listener";
    private static final String CDS = "type.googleapis.com/envoy.config.cluster.v3.Cluster";
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private HttpResponse<String> get(int port, String path, String... headers) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10));
        if (headers.length > 0) r.headers(headers);
        return client.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theDistributionFollowsAControlPlane() throws Exception {
        int port = Dist.freePort();
        int adminPort = Dist.freePort();
        Path dir = Files.createTempDirectory("yastack-xds-it");
        Path log = dir.resolve("yastack.log");
        Process proxy = null;
        try (ControlPlane cp = new ControlPlane(0); TestUpstream a = new TestUpstream("a")) {
            cp.set("edge-1", "1", List.of(Envoy.edsCluster("api")), List.of(Envoy.endpoints("api", "127.0.0.1", a.port())),
                    List.of(Envoy.httpListener("web", port, "routes")), List.of(Envoy.routes("routes", "/", "api")));
            Path cfg = dir.resolve("bootstrap.yaml");
            Files.writeString(cfg, """
                    node: {id: edge-1, cluster: edge}
                    dynamic_resources:
                      ads_config: {api_type: GRPC, grpc_services: [{envoy_grpc: {cluster_name: xds}}]}
                      lds_config: {ads: {}}
                      cds_config: {ads: {}}
                    admin: {address: 127.0.0.1, port: %d}
                    clusters:
                      - {name: xds, http2_protocol_options: {}, endpoints: [{address: 127.0.0.1, port: %d}]}
                    """.formatted(adminPort, cp.port()));
            proxy = Dist.startRun(cfg, log, List.of(), "--workers", "1");
            // Ready only once the first fetch is complete: the pushed listener serves at once.
            Dist.awaitReady(adminPort, proxy, log);
            HttpResponse<String> r = get(port, "/first");
            assertEquals(200, r.statusCode(), r::body);
            assertEquals("a", r.headers().firstValue("x-upstream").orElse(""));

            Listener withScript = Envoy.httpListener("web", port, "routes", Envoy.javascript("block",
                    "export function onRequest(req, ctx) { if (req.headers['x-block']) return {status: 451, body: 'no\\n'}; }\n"));
            cp.set("edge-1", "2", List.of(Envoy.edsCluster("api")), List.of(Envoy.endpoints("api", "127.0.0.1", a.port())),
                    List.of(withScript), List.of(Envoy.routes("routes", "/", "api")));
            cp.awaitAck(LDS, "2");
            assertEquals(451, get(port, "/js", "x-block", "1").statusCode(), "the script pushed inline acts on the next request");
            assertEquals(200, get(port, "/js").statusCode());

            Cluster bad = Envoy.edsCluster("api").toBuilder().setType(Cluster.DiscoveryType.ORIGINAL_DST).build();
            cp.set("edge-1", "3", List.of(bad), List.of(Envoy.endpoints("api", "127.0.0.1", a.port())),
                    List.of(withScript), List.of(Envoy.routes("routes", "/", "api")));
            cp.await(q -> q.getTypeUrl().equals(CDS) && q.hasErrorDetail() && q.getVersionInfo().equals("2"), "a CDS NACK");
            assertEquals(451, get(port, "/js", "x-block", "1").statusCode(), "nothing of a NACKed response is applied");
            String out = Files.readString(log);
            assertTrue(out.contains("xds: NACK Cluster version 3") && out.contains("type: ORIGINAL_DST is not supported"),
                    "one log line per NACK with its reason:\n" + out);
        } finally {
            Dist.stop(proxy);
        }
    }
}
