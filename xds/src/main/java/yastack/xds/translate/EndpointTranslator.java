package yastack.xds.translate;

import static yastack.xds.translate.Fields.child;
import static yastack.xds.translate.Fields.element;
import static yastack.xds.translate.Fields.only;

import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import java.util.ArrayList;
import java.util.List;
import yastack.api.config.Endpoint;

/**
 * Envoy's {@code ClusterLoadAssignment} as a cluster's endpoints, each with its group's
 * priority and its {@code health_status} (UNHEALTHY and TIMEOUT ones count in their level but
 * take no requests; DRAINING ones take no new requests and count nowhere; see the config's
 * {@code Endpoint.health_status}); localities are flattened.
 */
public final class EndpointTranslator {
    private EndpointTranslator() {}

    public static List<Endpoint> translate(ClusterLoadAssignment cla, String path) throws Rejection {
        only(cla, path, "cluster_name", "endpoints", "policy");
        if (cla.hasPolicy()) only(cla.getPolicy(), child(path, "policy"), "overprovisioning_factor");
        boolean levels = cla.getEndpointsList().stream().anyMatch(g -> g.getPriority() != 0);
        if (levels && cla.getPolicy().hasOverprovisioningFactor() && cla.getPolicy().getOverprovisioningFactor().getValue() != 140) {
            throw new Rejection(child(path, "policy.overprovisioning_factor"),
                    "only the default, 140, is supported where endpoints have priorities");
        }
        List<Endpoint> out = new ArrayList<>();
        for (int i = 0; i < cla.getEndpointsCount(); i++) {
            var group = cla.getEndpointsList().get(i);
            String gp = element(path, "endpoints", i);
            only(group, gp, "locality", "lb_endpoints", "priority", "load_balancing_weight");
            if (group.getPriority() > 127) throw new Rejection(child(gp, "priority"), "must be 0..127, got " + group.getPriority());
            for (int j = 0; j < group.getLbEndpointsCount(); j++) {
                var lb = group.getLbEndpoints(j);
                String p = element(gp, "lb_endpoints", j);
                only(lb, p, "endpoint", "health_status", "load_balancing_weight");
                var e = lb.getEndpoint();
                only(e, child(p, "endpoint"), "address", "hostname");
                var addr = e.getAddress();
                only(addr, child(p, "endpoint.address"), "socket_address");
                var s = addr.getSocketAddress();
                String sp = child(p, "endpoint.address.socket_address");
                only(s, sp, "address", "port_value", "protocol");
                if (s.getProtocol() != SocketAddress.Protocol.TCP) {
                    throw new Rejection(child(sp, "protocol"), "only TCP is supported");
                }
                out.add(Endpoint.newBuilder().setAddress(s.getAddress()).setPort(s.getPortValue())
                        .setWeight(lb.hasLoadBalancingWeight() ? lb.getLoadBalancingWeight().getValue() : 1)
                        .setPriority(group.getPriority()).setHealthStatus(status(lb.getHealthStatus())).build());
            }
        }
        return out;
    }

    private static Endpoint.HealthStatus status(HealthStatus s) {
        return switch (s) {
            case HEALTHY -> Endpoint.HealthStatus.HEALTHY;
            case UNHEALTHY -> Endpoint.HealthStatus.UNHEALTHY;
            case DRAINING -> Endpoint.HealthStatus.DRAINING;
            case TIMEOUT -> Endpoint.HealthStatus.TIMEOUT;
            case DEGRADED -> Endpoint.HealthStatus.DEGRADED;
            case UNKNOWN, UNRECOGNIZED -> Endpoint.HealthStatus.UNKNOWN;
        };
    }
}
