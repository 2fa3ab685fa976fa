package example.xds;

import com.github.xds.type.v3.TypedStruct;
import com.google.protobuf.Any;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.Durations;
import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.controlplane.server.DiscoveryServerCallbacks;
import io.envoyproxy.controlplane.server.V3DiscoveryServer;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A control plane for one yastack (node id edge-1) on 127.0.0.1:18000: a listener on
 * 127.0.0.1:8080 whose routes (RDS) send everything to the cluster "backend", whose
 * endpoints (EDS) are given on the command line and can be changed while it runs.
 * Commands on standard input, each pushing a new version:
 * <pre>
 *   endpoints 127.0.0.1:8081 127.0.0.1:8082   replace the backend's endpoints
 *   script filter.js                           push this JavaScript file as an HTTP filter, inline
 *   noscript                                   remove the filter
 * </pre>
 * It prints every ACK and NACK the proxy sends back.
 */
public final class ExampleControlPlane {
    private static final String NODE = "edge-1";
    private static final ConfigSource ADS = ConfigSource.newBuilder().setAds(AggregatedConfigSource.getDefaultInstance()).build();

    private final SimpleCache<String> cache = new SimpleCache<>(node -> node.getId());
    private List<String> endpoints = new ArrayList<>(List.of("127.0.0.1:8081"));
    private String script;
    private int version;

    public static void main(String[] args) throws Exception {
        ExampleControlPlane cp = new ExampleControlPlane();
        if (args.length > 0) cp.endpoints = List.of(args);
        DiscoveryServerCallbacks log = new DiscoveryServerCallbacks() {
            @Override
            public void onV3StreamRequest(long streamId, DiscoveryRequest r) {
                String type = r.getTypeUrl().substring(r.getTypeUrl().lastIndexOf('.') + 1);
                if (r.hasErrorDetail()) System.out.println("NACK " + type + ": " + r.getErrorDetail().getMessage());
                else if (!r.getResponseNonce().isEmpty()) System.out.println("ACK  " + type + " version " + r.getVersionInfo());
            }

            @Override
            public void onV3StreamDeltaRequest(long streamId, DeltaDiscoveryRequest r) {
            }
        };
        V3DiscoveryServer discovery = new V3DiscoveryServer(log, cp.cache);
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 18000))
                .addService(discovery.getAggregatedDiscoveryServiceImpl()).build().start();
        cp.push();
        System.out.println("control plane on 127.0.0.1:18000; commands: endpoints HOST:PORT..., script FILE.js, noscript");
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            String[] words = line.trim().split("\\s+");
            try {
                switch (words[0]) {
                    case "endpoints" -> cp.endpoints = List.of(words).subList(1, words.length);
                    case "script" -> cp.script = Files.readString(Path.of(words[1]));
                    case "noscript" -> cp.script = null;
                    case "" -> { continue; }
                    default -> {
                        System.out.println("unknown command " + words[0]);
                        continue;
                    }
                }
                cp.push();
            } catch (Exception e) {
                System.out.println("error: " + e);
            }
        }
        server.shutdown();
    }

    private void push() {
        version++;
        cache.setSnapshot(NODE, Snapshot.create(List.of(cluster()), List.of(assignment()), List.of(listener()),
                List.of(routes()), List.of(), String.valueOf(version)));
        System.out.println("pushed version " + version + ": endpoints " + endpoints + (script == null ? "" : ", with the script"));
    }

    private Listener listener() {
        HttpConnectionManager.Builder hcm = HttpConnectionManager.newBuilder().setStatPrefix("web")
                .setRds(Rds.newBuilder().setConfigSource(ADS).setRouteConfigName("routes"));
        if (script != null) {
            // One of yastack's extensions: a TypedStruct naming it, the script sent inline.
            Struct value = Struct.newBuilder().putFields("source", Value.newBuilder().setStringValue(script).build()).build();
            hcm.addHttpFilters(HttpFilter.newBuilder().setName("example-script").setTypedConfig(Any.pack(
                    TypedStruct.newBuilder().setTypeUrl("yastack.dev/javascript").setValue(value).build())));
        }
        hcm.addHttpFilters(HttpFilter.newBuilder().setName("envoy.filters.http.router").setTypedConfig(Any.pack(Router.getDefaultInstance())));
        return Listener.newBuilder().setName("web").setAddress(address("127.0.0.1", 8080))
                .addFilterChains(FilterChain.newBuilder().addFilters(Filter.newBuilder()
                        .setName("envoy.filters.network.http_connection_manager").setTypedConfig(Any.pack(hcm.build()))))
                .build();
    }

    private static RouteConfiguration routes() {
        return RouteConfiguration.newBuilder().setName("routes").addVirtualHosts(VirtualHost.newBuilder().setName("all").addDomains("*")
                .addRoutes(Route.newBuilder().setMatch(RouteMatch.newBuilder().setPrefix("/"))
                        .setRoute(RouteAction.newBuilder().setCluster("backend").setTimeout(Durations.fromSeconds(15))))).build();
    }

    private static Cluster cluster() {
        return Cluster.newBuilder().setName("backend").setType(Cluster.DiscoveryType.EDS).setConnectTimeout(Durations.fromSeconds(1))
                .setEdsClusterConfig(Cluster.EdsClusterConfig.newBuilder().setEdsConfig(ADS)).build();
    }

    private ClusterLoadAssignment assignment() {
        LocalityLbEndpoints.Builder group = LocalityLbEndpoints.newBuilder();
        for (String hostPort : endpoints) {
            int colon = hostPort.lastIndexOf(':');
            group.addLbEndpoints(LbEndpoint.newBuilder().setEndpoint(Endpoint.newBuilder()
                    .setAddress(address(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1))))));
        }
        return ClusterLoadAssignment.newBuilder().setClusterName("backend").addEndpoints(group).build();
    }

    private static Address address(String ip, int port) {
        return Address.newBuilder().setSocketAddress(SocketAddress.newBuilder().setAddress(ip).setPortValue(port)).build();
    }
}
