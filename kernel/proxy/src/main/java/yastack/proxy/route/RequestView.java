package yastack.proxy.route;

import java.util.List;

/** What route matching reads of a request; backed by the Netty request without copying. */
public interface RequestView {
    String method();

    /** The path without the query string, as received (not decoded). */
    String path();

    /** The raw query string without '?', or "" when absent. */
    String query();

    /** The authority (Host header) lower-cased without the port, or "" when absent. */
    String host();

    /** First value of a header (case-insensitive), or null. */
    String header(String name);

    /** All values of a header (case-insensitive); empty when absent. */
    List<String> headers(String name);

    /** The downstream client's IP address as text. */
    String remoteAddress();
}
