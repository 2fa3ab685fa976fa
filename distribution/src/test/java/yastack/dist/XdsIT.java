package yastack.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.core.v3.HttpUri;
import io.envoyproxy.envoy.config.rbac.v3.Permission;
import io.envoyproxy.envoy.config.rbac.v3.Policy;
import io.envoyproxy.envoy.config.rbac.v3.Principal;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.extensions.filters.http.ext_authz.v3.ExtAuthz;
import io.envoyproxy.envoy.extensions.filters.http.ext_authz.v3.HttpService;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.FaultAbort;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtProvider;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.RemoteJwks;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.RequirementRule;
import io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
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

            // Envoy's own typed filters, read by reflection on the module path: fault injection and RBAC.
            HttpFilter fault = HttpFilter.newBuilder().setName("envoy.filters.http.fault").setTypedConfig(Any.pack(HTTPFault.newBuilder()
                    .setAbort(FaultAbort.newBuilder().setHeaderAbort(FaultAbort.HeaderAbort.getDefaultInstance())
                            .setPercentage(FractionalPercent.newBuilder().setNumerator(100))).build())).build();
            HttpFilter rbac = HttpFilter.newBuilder().setName("envoy.filters.http.rbac").setTypedConfig(Any.pack(RBAC.newBuilder()
                    .setRules(io.envoyproxy.envoy.config.rbac.v3.RBAC.newBuilder().setAction(io.envoyproxy.envoy.config.rbac.v3.RBAC.Action.DENY)
                            .putPolicies("bots", Policy.newBuilder().addPermissions(Permission.newBuilder().setAny(true))
                                    .addPrincipals(Principal.newBuilder().setHeader(HeaderMatcher.newBuilder().setName("x-bot")
                                            .setPresentMatch(true))).build())).build())).build();
            // ext_authz asks the upstream itself (which answers 200); jwt_authn requires tokens nowhere.
            HttpFilter authz = HttpFilter.newBuilder().setName("envoy.filters.http.ext_authz").setTypedConfig(Any.pack(ExtAuthz.newBuilder()
                    .setHttpService(HttpService.newBuilder().setServerUri(HttpUri.newBuilder().setUri("http://api").setCluster("api")
                            .setTimeout(com.google.protobuf.util.Durations.fromSeconds(5)))).build())).build();
            HttpFilter jwt = HttpFilter.newBuilder().setName("envoy.filters.http.jwt_authn").setTypedConfig(Any.pack(JwtAuthentication.newBuilder()
                    .putProviders("idp", JwtProvider.newBuilder().setRemoteJwks(RemoteJwks.newBuilder().setHttpUri(HttpUri.newBuilder()
                            .setUri("http://api/jwks").setCluster("api"))).build())
                    .addRules(RequirementRule.newBuilder().setMatch(io.envoyproxy.envoy.config.route.v3.RouteMatch.newBuilder().setPrefix("/")))
                    .build())).build();
            cp.set("edge-1", "4", List.of(Envoy.edsCluster("api")), List.of(Envoy.endpoints("api", "127.0.0.1", a.port())),
                    List.of(Envoy.httpListener("web", port, "routes", fault, rbac, authz, jwt)), List.of(Envoy.routes("routes", "/", "api")));
            cp.awaitAck(LDS, "4");
            assertEquals(418, get(port, "/f", "x-envoy-fault-abort-request", "418").statusCode());
            assertEquals(403, get(port, "/r", "x-bot", "1").statusCode());
            assertEquals(200, get(port, "/ok").statusCode());
        } finally {
            Dist.stop(proxy);
        }
    }
}
