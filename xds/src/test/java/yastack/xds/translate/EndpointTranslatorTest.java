package yastack.xds.translate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static yastack.xds.translate.Refusals.address;
import static yastack.xds.translate.Refusals.refused;

import com.google.protobuf.Struct;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.core.v3.Locality;
import io.envoyproxy.envoy.config.core.v3.Metadata;
import io.envoyproxy.envoy.config.core.v3.Pipe;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import java.util.List;
import org.junit.jupiter.api.Test;

class EndpointTranslatorTest {
    private static LbEndpoint.Builder lb(String ip, int port) {
        return LbEndpoint.newBuilder().setEndpoint(Endpoint.newBuilder().setAddress(address(ip, port)));
    }

    private static ClusterLoadAssignment cla(LocalityLbEndpoints.Builder... groups) {
        ClusterLoadAssignment.Builder b = ClusterLoadAssignment.newBuilder().setClusterName("api");
        for (var g : groups) b.addEndpoints(g);
        return b.build();
    }

    @Test
    void endpointsWeightsAndHealthAcrossLocalities() throws Rejection {
        var out = EndpointTranslator.translate(cla(
                LocalityLbEndpoints.newBuilder().setLocality(Locality.newBuilder().setZone("a"))
                        .setLoadBalancingWeight(UInt32Value.of(5))
                        .addLbEndpoints(lb("10.0.0.1", 80).setLoadBalancingWeight(UInt32Value.of(3)))
                        .addLbEndpoints(lb("10.0.0.2", 81).setHealthStatus(HealthStatus.HEALTHY))
                        .addLbEndpoints(lb("10.0.0.3", 82).setHealthStatus(HealthStatus.UNHEALTHY))
                        .addLbEndpoints(lb("10.0.0.4", 83).setHealthStatus(HealthStatus.DRAINING)),
                LocalityLbEndpoints.newBuilder().setLocality(Locality.newBuilder().setZone("b"))
                        .addLbEndpoints(lb("10.0.0.5", 84).setHealthStatus(HealthStatus.DEGRADED))
                        .addLbEndpoints(lb("10.0.0.6", 85).setHealthStatus(HealthStatus.TIMEOUT))), "");
        assertEquals(List.of("10.0.0.1:80/3 UNKNOWN", "10.0.0.2:81/1 HEALTHY", "10.0.0.3:82/1 UNHEALTHY", "10.0.0.4:83/1 DRAINING",
                        "10.0.0.5:84/1 DEGRADED", "10.0.0.6:85/1 TIMEOUT"),
                out.stream().map(e -> e.getAddress() + ":" + e.getPort() + "/" + e.getWeight() + " " + e.getHealthStatus()).toList(),
                "localities flattened; every endpoint keeps its status (the cluster decides what it means); weight 1 by default");
    }

    @Test
    void eachEndpointKeepsItsGroupsPriority() throws Rejection {
        var out = EndpointTranslator.translate(cla(
                LocalityLbEndpoints.newBuilder().addLbEndpoints(lb("10.0.0.1", 80)),
                LocalityLbEndpoints.newBuilder().setPriority(2).addLbEndpoints(lb("10.0.0.2", 80)).addLbEndpoints(lb("10.0.0.3", 80))),
                "");
        assertEquals(List.of("10.0.0.1@0", "10.0.0.2@2", "10.0.0.3@2"),
                out.stream().map(e -> e.getAddress() + "@" + e.getPriority()).toList());
        refused("policy.overprovisioning_factor: only the default, 140, is supported where endpoints have priorities",
                () -> EndpointTranslator.translate(cla(LocalityLbEndpoints.newBuilder().setPriority(1).addLbEndpoints(lb("10.0.0.1", 80)))
                        .toBuilder().setPolicy(ClusterLoadAssignment.Policy.newBuilder().setOverprovisioningFactor(UInt32Value.of(200)))
                        .build(), ""));
    }

    @Test
    void anEmptyAssignmentIsNoEndpoints() throws Rejection {
        assertEquals(List.of(), EndpointTranslator.translate(ClusterLoadAssignment.newBuilder().setClusterName("api").build(), ""));
    }

    @Test
    void refusalsNameTheField() {
        refused("endpoints[0].priority: must be 0..127, got 128", () -> EndpointTranslator.translate(
                cla(LocalityLbEndpoints.newBuilder().setPriority(128).addLbEndpoints(lb("10.0.0.1", 80))), ""));
        refused("endpoints[0].lb_endpoints[1].endpoint.address.socket_address.protocol: only TCP is supported",
                () -> EndpointTranslator.translate(cla(LocalityLbEndpoints.newBuilder().addLbEndpoints(lb("10.0.0.1", 80))
                        .addLbEndpoints(LbEndpoint.newBuilder().setEndpoint(Endpoint.newBuilder().setAddress(Address.newBuilder()
                                .setSocketAddress(SocketAddress.newBuilder().setAddress("10.0.0.2").setPortValue(53)
                                        .setProtocol(SocketAddress.Protocol.UDP)))))), ""));
        refused("endpoints[0].lb_endpoints[0].endpoint.address.pipe: not supported", () -> EndpointTranslator.translate(
                cla(LocalityLbEndpoints.newBuilder().addLbEndpoints(LbEndpoint.newBuilder().setEndpoint(Endpoint.newBuilder()
                        .setAddress(Address.newBuilder().setPipe(Pipe.newBuilder().setPath("/tmp/s")))))), ""));
        refused("endpoints[0].lb_endpoints[0].metadata: not supported", () -> EndpointTranslator.translate(
                cla(LocalityLbEndpoints.newBuilder().addLbEndpoints(lb("10.0.0.1", 80).setMetadata(Metadata.getDefaultInstance()
                        .toBuilder().putFilterMetadata("x", Struct.getDefaultInstance())))), ""));
        refused("policy.drop_overloads: not supported", () -> EndpointTranslator.translate(ClusterLoadAssignment.newBuilder()
                .setClusterName("api").setPolicy(ClusterLoadAssignment.Policy.newBuilder()
                        .addDropOverloads(ClusterLoadAssignment.Policy.DropOverload.newBuilder().setCategory("x"))).build(), ""));
        refused("named_endpoints: not supported", () -> EndpointTranslator.translate(ClusterLoadAssignment.newBuilder()
                .setClusterName("api").putNamedEndpoints("n", Endpoint.getDefaultInstance()).build(), ""));
    }
}
