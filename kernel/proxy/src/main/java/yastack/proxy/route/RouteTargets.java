package yastack.proxy.route;

import java.util.ArrayList;
import java.util.List;
import yastack.api.config.Route;
import yastack.api.config.WeightedCluster;

/** Turns a configured route's action into a {@link RouteTarget}. */
final class RouteTargets {
    private RouteTargets() {}

    static RouteTarget compile(Route r, RouteTarget.HeaderEdits edits, String matchedPrefix) {
        String name = r.getName();
        if (r.hasDirectResponse()) {
            var d = r.getDirectResponse();
            String type = d.getContentType().isEmpty() ? "text/plain" : d.getContentType();
            return new RouteTarget.Direct(name, d.getStatus(), d.getBody(), type, edits);
        }
        if (r.hasRedirect()) {
            var d = r.getRedirect();
            return new RouteTarget.Redirect(name, d.getCode() == 0 ? 301 : d.getCode(), d.getScheme(), d.getHost(),
                    d.getPath(), matchedPrefix, d.getPrefixRewrite(), d.getStripQuery(), edits);
        }
        var a = r.getRoute();
        List<String> clusters = new ArrayList<>();
        int[] cumulative;
        if (a.getWeightedClustersCount() > 0) {
            cumulative = new int[a.getWeightedClustersCount()];
            int total = 0;
            for (int i = 0; i < a.getWeightedClustersCount(); i++) {
                WeightedCluster w = a.getWeightedClusters(i);
                clusters.add(w.getName());
                total += Math.max(1, w.getWeight());
                cumulative[i] = total;
            }
        } else {
            clusters.add(a.getCluster());
            cumulative = new int[] {1};
        }
        long timeout = a.hasTimeout() ? com.google.protobuf.util.Durations.toMillis(a.getTimeout())
                : RouteTarget.Forward.DEFAULT_TIMEOUT_MILLIS;
        return new RouteTarget.Forward(name, List.copyOf(clusters), cumulative, matchedPrefix, a.getPrefixRewrite(),
                a.getHostRewrite(), timeout, a.hasHashPolicy() ? a.getHashPolicy() : null, edits,
                a.hasRetryPolicy() ? RetryRules.compile(a.getRetryPolicy()) : null);
    }
}
