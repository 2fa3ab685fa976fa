package yastack.proxy.route;

import java.util.List;
import yastack.api.config.HashPolicy;
import yastack.api.config.HeaderValue;

/**
 * What a matched route asks for. Exactly one of: a cluster (possibly weighted), a direct
 * response, a redirect. Header edits are the route's and its virtual host's, merged.
 */
public sealed interface RouteTarget {
    /** Header edits applied on the way up and on the way down. */
    record HeaderEdits(List<HeaderValue> requestAdd, List<String> requestRemove,
                       List<HeaderValue> responseAdd, List<String> responseRemove) {
        public static final HeaderEdits NONE = new HeaderEdits(List.of(), List.of(), List.of(), List.of());

        public boolean isEmpty() {
            return requestAdd.isEmpty() && requestRemove.isEmpty() && responseAdd.isEmpty() && responseRemove.isEmpty();
        }
    }

    HeaderEdits edits();

    String routeName();

    /**
     * Forward to a cluster. {@code clusters}/{@code weights} hold one entry unless weighted;
     * {@code retry} is null without a retry policy.
     */
    record Forward(String routeName, List<String> clusters, int[] cumulativeWeights, String matchedPrefix,
                   String prefixRewrite, String hostRewrite, long timeoutMillis, HashPolicy hashPolicy,
                   HeaderEdits edits, RetryRules retry) implements RouteTarget {
        /** Envoy's default route timeout. */
        public static final long DEFAULT_TIMEOUT_MILLIS = 15_000;

        /** Picks a cluster by weight (no random draw when there is only one). */
        public String pick(java.util.SplittableRandom random) {
            if (clusters.size() == 1) return clusters.getFirst();
            int roll = random.nextInt(totalWeight());
            for (int i = 0; i < cumulativeWeights.length; i++) {
                if (roll < cumulativeWeights[i]) return clusters.get(i);
            }
            return clusters.getLast();
        }

        public int totalWeight() {
            return cumulativeWeights.length == 0 ? 1 : cumulativeWeights[cumulativeWeights.length - 1];
        }

        /** The upstream path after the prefix rewrite (query string kept). */
        public String rewritePath(String pathAndQuery) {
            if (prefixRewrite.isEmpty() || matchedPrefix == null || !pathAndQuery.regionMatches(true, 0, matchedPrefix, 0, matchedPrefix.length())) {
                return pathAndQuery;
            }
            return prefixRewrite + pathAndQuery.substring(matchedPrefix.length());
        }
    }

    record Direct(String routeName, int status, String body, String contentType, HeaderEdits edits) implements RouteTarget {}

    record Redirect(String routeName, int code, String scheme, String host, String path, String matchedPrefix,
                    String prefixRewrite, boolean stripQuery, HeaderEdits edits) implements RouteTarget {}
}
