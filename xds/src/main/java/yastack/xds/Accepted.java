package yastack.xds;

import com.google.protobuf.Message;
import java.time.Instant;

/**
 * A resource the client holds: as received, as translated, and when it last changed.
 *
 * @param resource    the Envoy message
 * @param translated  its translation ({@code ListenerResource}, {@code RouteConfig},
 *                    {@code ClusterResource} or the endpoint list)
 * @param version     the response version that last changed it
 * @param lastUpdated when that response was applied
 */
record Accepted(Message resource, Object translated, String version, Instant lastUpdated) {}
