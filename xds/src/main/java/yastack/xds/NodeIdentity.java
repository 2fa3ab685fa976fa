package yastack.xds;

import io.envoyproxy.envoy.config.core.v3.Locality;
import io.envoyproxy.envoy.config.core.v3.Node;

/** The bootstrap's {@code node} as Envoy's, with yastack as the user agent. */
final class NodeIdentity {
    private NodeIdentity() {}

    static Node of(yastack.api.config.Node n) {
        String version = NodeIdentity.class.getModule().getDescriptor() != null
                ? NodeIdentity.class.getModule().getDescriptor().rawVersion().orElse("dev") : "dev";
        Node.Builder b = Node.newBuilder().setId(n.getId()).setCluster(n.getCluster()).setMetadata(n.getMetadata())
                .setUserAgentName("yastack").setUserAgentVersion(version);
        if (n.hasLocality()) {
            b.setLocality(Locality.newBuilder().setRegion(n.getLocality().getRegion()).setZone(n.getLocality().getZone())
                    .setSubZone(n.getLocality().getSubZone()));
        }
        return b.build();
    }
}
