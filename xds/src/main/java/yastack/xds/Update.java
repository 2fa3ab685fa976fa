package yastack.xds;

import com.google.protobuf.Any;
import java.util.List;
import java.util.Set;

/**
 * One response of either protocol, in the terms the client applies: what arrived, what was
 * removed, and whether it is the type's whole set. State of the world sends listeners and
 * clusters whole and removes by omission; delta sends only changes and names removals.
 *
 * @param type                the resource type
 * @param nonce               the response's nonce, echoed by the ACK or NACK
 * @param version             the response's (system) version
 * @param resources           the resources it carries
 * @param removed             names it removes (delta's {@code removed_resources})
 * @param complete            true when {@code resources} is the type's whole set (resources not in it go)
 * @param perResourceVersions true when each resource carries its own version (delta)
 */
record Update(XdsType type, String nonce, String version, List<Incoming> resources, Set<String> removed, boolean complete,
              boolean perResourceVersions) {

    /**
     * A resource as received.
     *
     * @param name     the name the control plane gave it ("" in state of the world: read from the resource)
     * @param resource the packed resource
     * @param version  its version (the response's in state of the world)
     */
    record Incoming(String name, Any resource, String version) {}
}
