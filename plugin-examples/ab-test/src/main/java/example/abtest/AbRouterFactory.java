package example.abtest;

import java.util.Map;
import yastack.api.PluginConfig;
import yastack.api.PluginConfigException;
import yastack.api.PluginContext;
import yastack.api.RouteDecision;
import yastack.api.Router;
import yastack.api.RouterFactory;

/**
 * {@code ab-router}: sends each variant to its cluster, by the header the
 * {@code ab-cookie} filter set.
 *
 * <pre>
 * config: {header: x-variant, clusters: {a: web-stable, b: web-canary}, default: a}
 * </pre>
 */
public final class AbRouterFactory implements RouterFactory {
    @Override
    public String name() {
        return "ab-router";
    }

    @Override
    public String description() {
        return "example: routes variant a/b to its own cluster";
    }

    @Override
    public Router create(PluginConfig config, PluginContext context) throws PluginConfigException {
        config.requireOnly("header", "clusters", "default");
        String header = config.string("header", "x-variant");
        Map<String, String> clusters = config.stringMap("clusters");
        if (clusters.isEmpty()) throw new PluginConfigException(config.path("clusters") + ": map each variant to a cluster, e.g. {a: web, b: canary}");
        String fallback = config.string("default", clusters.keySet().iterator().next());
        if (!clusters.containsKey(fallback)) {
            throw new PluginConfigException(config.path("default") + ": \"" + fallback + "\" is not a variant in clusters " + clusters.keySet());
        }
        return (stream, request) -> {
            String variant = request.headers().get(header);
            if (variant == null || !clusters.containsKey(variant)) variant = fallback;
            return RouteDecision.toCluster(clusters.get(variant)).withRouteName("ab-" + variant);
        };
    }
}
