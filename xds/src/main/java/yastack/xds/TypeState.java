package yastack.xds;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/** What the client knows of one resource type on the ADS stream. */
final class TypeState {
    final XdsType type;
    /** The version last accepted (ACKed); sent back on every request. */
    String version = "";
    /** The nonce of the last response on this stream; "" on a new stream. */
    String nonce = "";
    /** Accepted resources by name. */
    Map<String, Accepted> resources = new LinkedHashMap<>();
    /** The names subscribed to (routes, endpoints); unused for wildcard types. */
    Set<String> names = new LinkedHashSet<>();
    /** A response of this type was applied since start (its first fetch is done). */
    boolean fetched;
    /** The version last rejected and how many times in a row, to slow a control plane that resends it. */
    String rejectedVersion;
    int rejections;
    String lastError = "";

    TypeState(XdsType type) {
        this.type = type;
    }
}
