package yastack.kernel.plugin;

import com.google.protobuf.Struct;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import yastack.api.AccessLogger;
import yastack.api.ConfiguredHttpFilter;
import yastack.api.ConfiguredNetworkFilter;
import yastack.api.HttpFilterFactory;
import yastack.api.LoadBalancer;
import yastack.api.LoadBalancerFactory;
import yastack.api.NetworkFilterFactory;
import yastack.api.PluginConfig;
import yastack.api.PluginConfigException;
import yastack.api.PluginFactory;
import yastack.api.Router;
import yastack.api.RouterFactory;
import yastack.api.SteeringPolicy;
import yastack.api.SteeringPolicyFactory;

/**
 * The plugins available to this process (built-ins and those loaded from the
 * plugin directory) by kind and name, and the problems met while loading.
 * Immutable once built; also creates configured plugin objects, turning any
 * failure of plugin code into a {@link PluginConfigException} that names the
 * config field.
 */
public final class PluginRegistry {
    private final Map<PluginKind, Map<String, PluginInfo>> byKind;
    private final List<PluginProblem> problems;
    private final PluginStatsRegistry stats;
    private final PluginErrors errors;

    PluginRegistry(Map<PluginKind, Map<String, PluginInfo>> byKind, List<PluginProblem> problems, PluginStatsRegistry stats) {
        Map<PluginKind, Map<String, PluginInfo>> copy = new EnumMap<>(PluginKind.class);
        for (PluginKind k : PluginKind.values()) copy.put(k, Map.copyOf(byKind.getOrDefault(k, Map.of())));
        this.byKind = copy;
        this.problems = List.copyOf(problems);
        this.stats = stats;
        this.errors = new PluginErrors(stats);
    }

    /** A registry with no plugins (for tests and for runs without a plugin directory or built-ins). */
    public static PluginRegistry empty() {
        return new PluginRegistry(Map.of(), List.of(), new PluginStatsRegistry());
    }

    /** Every plugin, ordered by kind then name. */
    public List<PluginInfo> plugins() {
        List<PluginInfo> out = new ArrayList<>();
        for (PluginKind k : PluginKind.values()) {
            out.addAll(new TreeMap<>(byKind.get(k)).values());
        }
        out.sort(Comparator.comparing(PluginInfo::kind).thenComparing(PluginInfo::name));
        return out;
    }

    /** The problems met while loading, in the order found. */
    public List<PluginProblem> problems() {
        return problems;
    }

    /** The stats published by plugins and about plugins ({@code plugin.<name>.*}). */
    public PluginStatsRegistry stats() {
        return stats;
    }

    /** Where failures of this registry's plugin code are counted and logged. */
    public PluginErrors errors() {
        return errors;
    }

    public Optional<PluginInfo> find(PluginKind kind, String name) {
        return Optional.ofNullable(byKind.get(kind).get(name));
    }

    /** The names of every plugin of {@code kind}, sorted. */
    public Set<String> names(PluginKind kind) {
        return new TreeSet<>(byKind.get(kind).keySet());
    }

    public Optional<HttpFilterFactory> filterFactory(String name) {
        return find(PluginKind.FILTER, name).map(i -> (HttpFilterFactory) i.factory());
    }

    public Optional<RouterFactory> routerFactory(String name) {
        return find(PluginKind.ROUTER, name).map(i -> (RouterFactory) i.factory());
    }

    public Optional<LoadBalancerFactory> loadBalancerFactory(String name) {
        return find(PluginKind.LB, name).map(i -> (LoadBalancerFactory) i.factory());
    }

    public Optional<SteeringPolicyFactory> steeringFactory(String name) {
        return find(PluginKind.STEERING, name).map(i -> (SteeringPolicyFactory) i.factory());
    }

    public Optional<NetworkFilterFactory> networkFilterFactory(String name) {
        return find(PluginKind.L4, name).map(i -> (NetworkFilterFactory) i.factory());
    }

    /**
     * Configures HTTP filter {@code name} as the entry at {@code fieldPath}
     * (e.g. {@code listeners[0].http.filters[2]}) of the config.
     */
    public ConfiguredHttpFilter createFilter(String name, Struct config, String fieldPath) throws PluginConfigException {
        return create(PluginKind.FILTER, name, config, fieldPath, ConfiguredHttpFilter.class);
    }

    /**
     * Configures router plugin {@code name} (the {@code http.router} at {@code fieldPath}).
     * The router returned never throws: a failing plugin gives a 500 reply and counts as an error.
     */
    public Router createRouter(String name, Struct config, String fieldPath) throws PluginConfigException {
        return createRouter(name, PluginConfig.of(config, fieldPath + ".config"), fieldPath);
    }

    /** As above, with a config that may be a typed message (a listener's {@code route_config} for the built-in route table). */
    public Router createRouter(String name, PluginConfig config, String fieldPath) throws PluginConfigException {
        return Guarded.router(name, create(PluginKind.ROUTER, name, config, fieldPath, Router.class), errors);
    }

    /**
     * Configures LB plugin {@code name}; call once per cluster and worker. The balancer
     * returned never throws and never answers out of range (failures answer -1).
     */
    public LoadBalancer createLoadBalancer(String name, Struct config, String fieldPath) throws PluginConfigException {
        return Guarded.loadBalancer(name, create(PluginKind.LB, name, config, fieldPath, LoadBalancer.class), errors);
    }

    /**
     * Configures steering policy {@code name}. The policy returned never throws and
     * always answers a worker index in range (failures pick the first live worker).
     */
    public SteeringPolicy createSteering(String name, Struct config, String fieldPath) throws PluginConfigException {
        return Guarded.steering(name, create(PluginKind.STEERING, name, config, fieldPath, SteeringPolicy.class), errors);
    }

    /** Configures L4 filter {@code name} as the entry at {@code fieldPath} of the config. */
    public ConfiguredNetworkFilter createNetworkFilter(String name, Struct config, String fieldPath) throws PluginConfigException {
        return create(PluginKind.L4, name, config, fieldPath, ConfiguredNetworkFilter.class);
    }

    /**
     * Configures access logger {@code name} (a listener's {@code access_log}). The logger returned
     * never throws: a failure is counted and logged, and the record is lost, not the stream.
     */
    public AccessLogger createAccessLogger(String name, Struct config, String fieldPath) throws PluginConfigException {
        return createAccessLogger(name, PluginConfig.of(config, fieldPath + ".config"), fieldPath);
    }

    /** As above, with a config that may be a typed message (a listener's {@code access_log} entry for the built-in logger). */
    public AccessLogger createAccessLogger(String name, PluginConfig config, String fieldPath) throws PluginConfigException {
        return Guarded.accessLogger(name, create(PluginKind.ACCESS_LOG, name, config, fieldPath, AccessLogger.class), errors);
    }

    /** Runs the factory's {@code validate} only (config checks before applying a config). */
    public void validate(PluginKind kind, String name, Struct config, String fieldPath) throws PluginConfigException {
        PluginInfo info = require(kind, name, fieldPath);
        try {
            info.factory().validate(PluginConfig.of(config, fieldPath + ".config"));
        } catch (PluginConfigException e) {
            throw e;
        } catch (RuntimeException | LinkageError e) {
            throw new PluginConfigException(fieldPath + ": " + kind.label() + " plugin '" + name + "' failed validating its config: " + e, e);
        }
    }

    private <T> T create(PluginKind kind, String name, Struct config, String fieldPath, Class<T> type) throws PluginConfigException {
        return create(kind, name, PluginConfig.of(config, fieldPath + ".config"), fieldPath, type);
    }

    private <T> T create(PluginKind kind, String name, PluginConfig cfg, String fieldPath, Class<T> type) throws PluginConfigException {
        PluginInfo info = require(kind, name, fieldPath);
        PluginFactory<?> factory = info.factory();
        Object made;
        try {
            factory.validate(cfg);
            made = factory.create(cfg, KernelPluginContext.of(name, stats));
        } catch (PluginConfigException e) {
            throw e;
        } catch (RuntimeException | LinkageError e) {
            errors.report(name, "create", e);
            throw new PluginConfigException(fieldPath + ": " + kind.label() + " plugin '" + name + "' ("
                    + info.location() + ") threw while being created: " + e, e);
        }
        if (!type.isInstance(made)) {
            throw new PluginConfigException(fieldPath + ": " + kind.label() + " plugin '" + name + "' created "
                    + (made == null ? "null" : made.getClass().getName()) + " instead of a " + type.getSimpleName());
        }
        return type.cast(made);
    }

    private PluginInfo require(PluginKind kind, String name, String fieldPath) throws PluginConfigException {
        PluginInfo info = byKind.get(kind).get(name);
        if (info == null) {
            throw new PluginConfigException(fieldPath + ": no " + kind.label() + " plugin named '" + name + "'; known: "
                    + (byKind.get(kind).isEmpty() ? "none" : String.join(", ", names(kind)))
                    + " (is its jar in the --plugins directory? see `yastack plugins --plugins DIR`)");
        }
        return info;
    }
}
