package yastack.api;

import java.time.Duration;
import java.util.Objects;

/**
 * A router's decision: send the request to a cluster (optionally with a
 * timeout and a route name for stats and logs), or reply locally.
 */
public sealed interface RouteDecision {
    /** Forward to {@code cluster} with the listener's default timeout. */
    static ToCluster toCluster(String cluster) {
        return new ToCluster(cluster, "", null);
    }

    /** Reply locally (e.g. a redirect or a 403). */
    static RouteDecision respond(LocalReply reply) {
        return new Respond(reply);
    }

    /** No route: the kernel replies 404. */
    static RouteDecision noRoute() {
        return new Respond(LocalReply.of(404, "no route\n"));
    }

    /**
     * Forward to a cluster.
     *
     * @param cluster a cluster name from {@code clusters[]}
     * @param routeName a name for stats and access logs, may be {@code ""}
     * @param timeout the upstream response timeout, {@code null} for the default; zero means none
     */
    record ToCluster(String cluster, String routeName, Duration timeout) implements RouteDecision {
        public ToCluster {
            Objects.requireNonNull(cluster, "cluster");
            Objects.requireNonNull(routeName, "routeName");
        }

        public ToCluster withRouteName(String name) {
            return new ToCluster(cluster, name, timeout);
        }

        public ToCluster withTimeout(Duration t) {
            return new ToCluster(cluster, routeName, t);
        }
    }

    /** Reply locally without contacting an upstream. */
    record Respond(LocalReply reply) implements RouteDecision {
        public Respond {
            Objects.requireNonNull(reply, "reply");
        }
    }
}
