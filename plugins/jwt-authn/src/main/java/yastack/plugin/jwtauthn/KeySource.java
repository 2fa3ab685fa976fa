package yastack.plugin.jwtauthn;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import yastack.api.ClusterCalls;
import yastack.api.HttpStream;
import yastack.api.PluginStats;

/** Where a provider's keys come from: the config itself, or a JWKS endpoint, fetched and cached. */
sealed interface KeySource {
    /** The keys, as of {@code nowNanos}; may fetch through {@code stream}'s cluster calls. */
    CompletionStage<Jwks> keys(HttpStream stream, long nowNanos);

    record Local(Jwks jwks) implements KeySource {
        public CompletionStage<Jwks> keys(HttpStream stream, long nowNanos) {
            return CompletableFuture.completedFuture(jwks);
        }
    }

    /**
     * A JWKS fetched from {@code cluster} at {@code path} and kept for {@code cacheDuration}.
     * Once keys have come, expired ones keep verifying while one refresh runs (a slow or
     * failing identity provider does not stop the traffic); before the first keys, requests
     * wait for the fetch. Shared by every worker.
     */
    final class Remote implements KeySource {
        private final String cluster, path;
        private final Duration timeout;
        private final long cacheNanos;
        private final PluginStats.Counter fetched, failed;
        private volatile Jwks current;
        private volatile long fetchedAt;
        private CompletableFuture<Jwks> inFlight;
        /** For a config only being checked, which fetches nothing. */
        private static final PluginStats.Counter UNCOUNTED = new PluginStats.Counter() {
            @Override
            public void add(long delta) {}

            @Override
            public long value() {
                return 0;
            }
        };

        Remote(String cluster, String path, Duration timeout, Duration cacheDuration, PluginStats stats) {
            this.cluster = cluster;
            this.path = path;
            this.timeout = timeout;
            this.cacheNanos = cacheDuration.toNanos();
            this.fetched = stats == null ? UNCOUNTED : stats.counter("jwks_fetch_success");
            this.failed = stats == null ? UNCOUNTED : stats.counter("jwks_fetch_failed");
        }

        /** An identity provider rotating keys signs with the new one before our cached set has it: refetch, at most this often. */
        static final long REFETCH_NANOS = 30_000_000_000L;

        /**
         * The keys fetched again for a token whose key the cached set lacks; null when they were
         * fetched less than {@link #REFETCH_NANOS} ago (a stream of forged kids must not hammer
         * the identity provider).
         */
        CompletionStage<Jwks> refetch(HttpStream stream, long nowNanos) {
            synchronized (this) {
                if (current != null && nowNanos - fetchedAt < REFETCH_NANOS) return null;
            }
            return fetch(stream, nowNanos);
        }

        @Override
        public CompletionStage<Jwks> keys(HttpStream stream, long nowNanos) {
            Jwks have = current;
            if (have != null && nowNanos - fetchedAt < cacheNanos) return CompletableFuture.completedFuture(have);
            CompletableFuture<Jwks> fetch = fetch(stream, nowNanos);
            return have != null ? CompletableFuture.completedFuture(have) : fetch;
        }

        private synchronized CompletableFuture<Jwks> fetch(HttpStream stream, long nowNanos) {
            if (inFlight != null) return inFlight;
            CompletableFuture<Jwks> f = stream.callCluster(cluster, new ClusterCalls.Request("GET", path, Map.of("accept", "application/json"), "", timeout))
                    .thenApply(r -> {
                        if (r.status() != 200) throw new IllegalStateException("the JWKS endpoint answered " + r.status());
                        return Jwks.parse(r.body());
                    }).toCompletableFuture();
            inFlight = f;
            f.whenComplete((jwks, failure) -> {
                synchronized (this) {
                    inFlight = null;
                    if (failure == null) {
                        current = jwks;
                        fetchedAt = nowNanos;
                        fetched.inc();
                    } else {
                        failed.inc();
                    }
                }
            });
            return f;
        }
    }
}
