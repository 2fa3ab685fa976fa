package yastack.api;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A router's decision: send the request to a cluster, with everything a route of
 * {@code route_config} can ask for, or reply locally. Decisions are immutable, so a router
 * can build each of its routes' decisions once and return the same object for every request.
 */
public sealed interface RouteDecision {
    /** Envoy's default route timeout. */
    Duration DEFAULT_TIMEOUT = Duration.ofSeconds(15);

    /** Forward to {@code cluster} with the listener's defaults (15 s timeout, no retries, no rewrites). */
    static ToCluster toCluster(String cluster) {
        return forward(cluster).build();
    }

    /** A builder of a decision to forward to {@code cluster}. */
    static ToCluster.Builder forward(String cluster) {
        return new ToCluster.Builder(cluster);
    }

    /** Reply locally (e.g. a redirect or a 403). */
    static RouteDecision respond(LocalReply reply) {
        return new Respond(reply);
    }

    /** No route matched: the proxy replies 404 and counts it as no route (access log flag {@code NR}). */
    static RouteDecision noRoute() {
        return NoRoute.INSTANCE;
    }

    /**
     * Forward to a cluster.
     *
     * @param cluster a cluster name from {@code clusters[]}
     * @param routeName a name for stats and access logs, may be {@code ""}
     * @param timeout from the end of the request to the end of the response; {@code null} for
     *        {@link #DEFAULT_TIMEOUT}, {@link Duration#ZERO} for none
     * @param rewritePrefix with {@code rewriteTo}: a path starting with this prefix (compared
     *        without case) goes upstream with it replaced by {@code rewriteTo}; {@code ""}: no rewrite
     * @param hostRewrite the {@code host} sent upstream, {@code ""} to keep the client's
     * @param hashKey the consistent-hash key of this route, {@code null} for the cluster's
     * @param retry the retry policy, {@code null} for none
     * @param headers header edits on the way up and down
     * @param idleTimeout time without bytes moving either way on the stream, replacing the
     *        listener's {@code stream_idle_timeout}; {@code null} to keep it, {@link Duration#ZERO} for none
     * @param virtualHost the virtual host the route belongs to, for stats ({@code vhost.<name>.route.<route>.*}), may be {@code ""}
     */
    record ToCluster(String cluster, String routeName, Duration timeout, String rewritePrefix, String rewriteTo,
                     String hostRewrite, HashKey hashKey, RetryRules retry, HeaderEdits headers, Duration idleTimeout,
                     String virtualHost, List<Mirror> mirrors)
            implements RouteDecision {
        /** Without a route idle timeout (the listener's stream_idle_timeout applies), a virtual host or mirrors. */
        public ToCluster(String cluster, String routeName, Duration timeout, String rewritePrefix, String rewriteTo,
                         String hostRewrite, HashKey hashKey, RetryRules retry, HeaderEdits headers) {
            this(cluster, routeName, timeout, rewritePrefix, rewriteTo, hostRewrite, hashKey, retry, headers, null, "", List.of());
        }

        public ToCluster {
            Objects.requireNonNull(virtualHost, "virtualHost");
            mirrors = List.copyOf(mirrors);
            Objects.requireNonNull(cluster, "cluster");
            Objects.requireNonNull(routeName, "routeName");
            Objects.requireNonNull(rewritePrefix, "rewritePrefix");
            Objects.requireNonNull(rewriteTo, "rewriteTo");
            Objects.requireNonNull(hostRewrite, "hostRewrite");
            Objects.requireNonNull(headers, "headers");
            if (timeout != null && timeout.isNegative()) throw new IllegalArgumentException("timeout must not be negative");
            if (idleTimeout != null && idleTimeout.isNegative()) throw new IllegalArgumentException("idleTimeout must not be negative");
        }

        public ToCluster withRouteName(String name) {
            return toBuilder().routeName(name).build();
        }

        public ToCluster withTimeout(Duration t) {
            return toBuilder().timeout(t).build();
        }

        /** The timeout in milliseconds: the default when none was given, 0 for none. */
        public long timeoutMillis() {
            return timeout == null ? DEFAULT_TIMEOUT.toMillis() : timeout.toMillis();
        }

        /** The upstream request target for {@code pathAndQuery} after the prefix rewrite (query kept). */
        public String rewritePath(String pathAndQuery) {
            if (rewritePrefix.isEmpty() || !pathAndQuery.regionMatches(true, 0, rewritePrefix, 0, rewritePrefix.length())) {
                return pathAndQuery;
            }
            return rewriteTo + pathAndQuery.substring(rewritePrefix.length());
        }

        public Builder toBuilder() {
            Builder b = new Builder(cluster).routeName(routeName).timeout(timeout).hostRewrite(hostRewrite).hashKey(hashKey)
                    .retry(retry).headers(headers).idleTimeout(idleTimeout).virtualHost(virtualHost).mirrors(mirrors);
            b.rewritePrefix = rewritePrefix;
            b.rewriteTo = rewriteTo;
            return b;
        }

        /** Builds a {@link ToCluster}; every setting but the cluster is optional. */
        public static final class Builder {
            private final String cluster;
            private String routeName = "";
            private Duration timeout;
            private String rewritePrefix = "";
            private String rewriteTo = "";
            private String hostRewrite = "";
            private HashKey hashKey;
            private RetryRules retry;
            private HeaderEdits headers = HeaderEdits.NONE;
            private Duration idleTimeout;
            private String virtualHost = "";
            private List<Mirror> mirrors = List.of();

            Builder(String cluster) {
                this.cluster = Objects.requireNonNull(cluster, "cluster");
            }

            public Builder routeName(String name) {
                this.routeName = name;
                return this;
            }

            public Builder timeout(Duration t) {
                this.timeout = t;
                return this;
            }

            /** Replaces {@code prefix} (compared without case) at the start of the path with {@code replacement}. */
            public Builder prefixRewrite(String prefix, String replacement) {
                this.rewritePrefix = prefix;
                this.rewriteTo = replacement;
                return this;
            }

            public Builder hostRewrite(String host) {
                this.hostRewrite = host;
                return this;
            }

            public Builder hashKey(HashKey key) {
                this.hashKey = key;
                return this;
            }

            public Builder retry(RetryRules rules) {
                this.retry = rules;
                return this;
            }

            public Builder headers(HeaderEdits edits) {
                this.headers = edits;
                return this;
            }

            /** Time without bytes moving either way on the stream; {@link Duration#ZERO} for none. */
            public Builder idleTimeout(Duration t) {
                this.idleTimeout = t;
                return this;
            }

            /** The virtual host of the route, for per-route stats. */
            public Builder virtualHost(String name) {
                this.virtualHost = name;
                return this;
            }

            /** Copies of the request to send to other clusters, their answers ignored (Envoy's request_mirror_policies). */
            public Builder mirrors(List<Mirror> mirrors) {
                this.mirrors = mirrors;
                return this;
            }

            public ToCluster build() {
                return new ToCluster(cluster, routeName, timeout, rewritePrefix, rewriteTo, hostRewrite, hashKey, retry, headers,
                        idleTimeout, virtualHost, mirrors);
            }
        }
    }

    /**
     * A copy of a forwarded request sent to {@code cluster} as well, for {@code percent} of the
     * requests (0..100), its answer ignored: shadow traffic for a new version (Envoy's
     * request_mirror_policies, nginx's {@code mirror}).
     */
    record Mirror(String cluster, double percent) {
        public Mirror {
            Objects.requireNonNull(cluster, "cluster");
            if (percent < 0 || percent > 100) throw new IllegalArgumentException("percent must be 0..100, got " + percent);
        }
    }

    /** Reply locally without contacting an upstream. */
    record Respond(LocalReply reply) implements RouteDecision {
        public Respond {
            Objects.requireNonNull(reply, "reply");
        }
    }

    /** No route matched (404). */
    final class NoRoute implements RouteDecision {
        static final NoRoute INSTANCE = new NoRoute();

        private NoRoute() {}

        @Override
        public String toString() {
            return "NoRoute";
        }
    }
}
