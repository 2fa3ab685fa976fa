package yastack.server;

import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import yastack.config.ConfigLoader;
import yastack.dist.ControlPlane;
import yastack.dist.Envoy;
import yastack.proxy.fixtures.ProxyHarness;

/**
 * What the in-process xDS tests share: a real control plane ({@link ControlPlane}:
 * java-control-plane on a real port) and yastack in-process whose bootstrap follows it over
 * ADS as node {@value #NODE} (listeners and clusters from the control plane, the control
 * plane itself the only static cluster), plus the calls the tests make on both.
 */
final class XdsFixture implements AutoCloseable {
    static final String LDS = "type.googleapis.com/envoy.config.listener.v3.Listener";
    static final String RDS = "type.googleapis.com/envoy.config.route.v3.RouteConfiguration";
    static final String CDS = "type.googleapis.com/envoy.config.cluster.v3.Cluster";
    static final String EDS = "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment";
    static final String NODE = "edge-1";

    /** A test that restarts the control plane puts the new one here; the fixture closes whichever is current. */
    ControlPlane cp;
    final ProxyInstance proxy;
    /** A free port for the listeners the tests push. */
    final int port = ProxyHarness.freePort();
    private final boolean delta;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /**
     * Starts both; {@code apiType} is the bootstrap's {@code ads_config.api_type} ({@code GRPC}
     * or {@code DELTA_GRPC}), {@code moreBootstrap} top-level YAML added as it is (e.g. a
     * {@code stack:} section), or "".
     */
    XdsFixture(String apiType, String moreBootstrap) throws Exception {
        this.delta = apiType.equals("DELTA_GRPC");
        this.cp = new ControlPlane(0);
        try {
            this.proxy = ProxyInstance.start(ConfigLoader.parse("""
                    node: {id: %s, cluster: edge}
                    dynamic_resources:
                      ads_config: {api_type: %s, grpc_services: [{envoy_grpc: {cluster_name: xds}}]}
                      lds_config: {ads: {}, initial_fetch_timeout: 5s}
                      cds_config: {ads: {}, initial_fetch_timeout: 5s}
                    %sclusters:
                      - {name: xds, http2_protocol_options: {}, endpoints: [{address: 127.0.0.1, port: %d}]}
                    """.formatted(NODE, apiType, moreBootstrap, cp.port()), Path.of(".")), 1, 0, false);
        } catch (Exception | Error e) {
            cp.close();
            throw e;
        }
    }

    /** Waits until the proxy applied and ACKed {@code version} of every type. */
    void awaitApplied(String version) throws InterruptedException {
        for (String type : List.of(CDS, EDS, LDS, RDS)) {
            if (delta) cp.awaitDeltaAck(type, version);
            else cp.awaitAck(type, version);
        }
    }

    /**
     * Serves {@code version}: {@code listener}, routes "routes" (/ to {@code cluster}), EDS
     * clusters api and bapi with {@code endpoints}.
     */
    void push(String version, String cluster, List<ClusterLoadAssignment> endpoints, Listener listener) {
        cp.set(NODE, version, List.of(Envoy.edsCluster("api"), Envoy.edsCluster("bapi")), endpoints,
                List.of(listener), List.of(Envoy.routes("routes", "/", cluster)));
    }

    /** The endpoints of {@link #push}'s clusters on 127.0.0.1: api at {@code apiPorts}, bapi at {@code bapiPort}. */
    static List<ClusterLoadAssignment> endpoints(int bapiPort, int... apiPorts) {
        return List.of(Envoy.endpoints("api", "127.0.0.1", apiPorts), Envoy.endpoints("bapi", "127.0.0.1", bapiPort));
    }

    /** A GET to the pushed listener on {@link #port}, with {@code headers} (name, value, ...). */
    HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10));
        if (headers.length > 0) r.headers(headers);
        return client.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> admin(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.adminPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The admin API's {@code /stats}, by name. */
    Map<String, Long> stats() throws Exception {
        Map<String, Long> out = new TreeMap<>();
        Matcher m = Pattern.compile("(?m)^([^:\\s]+): (\\d+)$").matcher(admin("/stats").body());
        while (m.find()) out.put(m.group(1), Long.parseLong(m.group(2)));
        return out;
    }

    @Override
    public void close() throws InterruptedException {
        try {
            proxy.close();
        } finally {
            cp.close();
        }
    }
}
