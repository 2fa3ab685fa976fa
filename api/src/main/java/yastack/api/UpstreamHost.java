package yastack.api;

/** One endpoint of a cluster as a load balancer sees it. */
public interface UpstreamHost {
    /** The address as written in config (an IP or a host name). */
    String address();

    int port();

    /** The configured weight (1 by default). */
    int weight();

    /** Requests in flight to this endpoint from this worker. */
    int activeRequests();
}
