package yastack.proxy.cluster;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.Durations;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import yastack.api.HashKey;
import yastack.api.config.Cluster;
import yastack.api.config.Endpoint.HealthStatus;
import yastack.api.config.HealthCheck;
import yastack.api.config.LbPolicyKind;
import yastack.api.config.SocketFlavor;

/** A configured cluster compiled for use: immutable and shared by every worker. */
public final class ClusterRuntime {
    private static final AtomicLong GENERATIONS = new AtomicLong();

    private final Cluster config;
    /** Newer runtimes of a cluster have higher generations (requests of an older snapshot may still use older ones). */
    private final long generation = GENERATIONS.incrementAndGet();
    private final String name;
    private final SocketFlavor flavor;
    private final List<Endpoint> endpoints;
    private final HashKey hashKey;
    private final long connectTimeoutMillis;
    private final long idleTimeoutMillis;
    private final int maxConnectionsPerWorker;
    private final String lbPolicy;
    private final Struct lbConfig;
    /** What balancers compute from this endpoint set once for every worker ({@link yastack.api.HostSet#shared}). */
    private final ConcurrentHashMap<Object, Object> shared = new ConcurrentHashMap<>();
    private final HealthCheck healthCheck;
    private final int http2MaxStreams;
    private final int consecutive5xx;
    private final long baseEjectionNanos;
    private final int maxEjected;
    private final int proxyProtocolVersion;
    private final ClusterBreakers breakers;

    public ClusterRuntime(Cluster c) {
        this(c, (ClusterRuntime) null);
    }

    /**
     * A new version of a cluster: endpoints that {@code previous} (an older version, or null)
     * also had keep the health it knew of them (passive ejections, active check verdicts).
     */
    public ClusterRuntime(Cluster c, ClusterRuntime previous) {
        this(c, configured(c, previous));
    }

    private ClusterRuntime(Cluster c, List<Endpoint> endpoints) {
        this.config = c;
        this.name = c.getName();
        this.flavor = c.getFlavor();
        this.endpoints = List.copyOf(endpoints);
        this.lbPolicy = lbPolicyOf(c);
        this.lbConfig = lbConfigOf(c);
        this.hashKey = c.hasHashPolicy() ? HashKey.of(c.getHashPolicy()) : HashKey.SOURCE_IP;
        this.connectTimeoutMillis = c.hasConnectTimeout() ? Durations.toMillis(c.getConnectTimeout()) : 1000;
        this.idleTimeoutMillis = c.hasIdleTimeout() ? Durations.toMillis(c.getIdleTimeout()) : 60_000;
        this.maxConnectionsPerWorker = c.getMaxConnectionsPerWorker() == 0 ? 1024 : c.getMaxConnectionsPerWorker();
        this.healthCheck = c.hasHealthCheck() ? c.getHealthCheck() : null;
        var od = c.getOutlierDetection();
        this.consecutive5xx = !c.hasOutlierDetection() ? 0 : od.getConsecutive5Xx() == 0 ? 5 : od.getConsecutive5Xx();
        this.baseEjectionNanos = od.hasBaseEjectionTime() ? Durations.toMillis(od.getBaseEjectionTime()) * 1_000_000L
                : 30_000_000_000L;
        this.maxEjected = Math.max(1, endpoints.size() * (od.getMaxEjectionPercent() == 0 ? 10 : od.getMaxEjectionPercent()) / 100);
        this.proxyProtocolVersion = !c.hasProxyProtocol() ? 0 : c.getProxyProtocol().getVersion() == 0 ? 1 : c.getProxyProtocol().getVersion();
        this.breakers = new ClusterBreakers(c.getCircuitBreakers());
        this.http2MaxStreams = !c.hasHttp2ProtocolOptions() ? 0
                : c.getHttp2ProtocolOptions().getMaxConcurrentStreams() == 0 ? 100 : c.getHttp2ProtocolOptions().getMaxConcurrentStreams();
    }

    /** The config this runtime was compiled from. */
    public Cluster config() { return config; }

    public long generation() { return generation; }

    /**
     * Whether connections to this cluster's endpoints could serve {@code other} unchanged:
     * the same cluster but for its endpoints (an EDS update), so pooled connections to the
     * endpoints both have can move over.
     */
    public boolean sameConnectionSettings(ClusterRuntime other) {
        return config.toBuilder().clearEndpoints().build().equals(other.config.toBuilder().clearEndpoints().build());
    }

    /** The endpoints as written in the config, with what {@code previous} knew of the same addresses. */
    private static List<Endpoint> configured(Cluster c, ClusterRuntime previous) {
        List<Endpoint> eps = new ArrayList<>();
        for (var e : c.getEndpointsList()) {
            if (e.getHealthStatus() == HealthStatus.DRAINING) continue;
            int i = eps.size();
            Endpoint fresh = new Endpoint(i, e.getAddress(), e.getPort(), e.getWeight() == 0 ? 1 : e.getWeight(),
                    e.getPriority(), e.getAddress(), new EndpointHealth());
            Endpoint known = previous == null ? null
                    : previous.endpoints.stream().filter(fresh::sameAddress).findFirst().orElse(null);
            if (known != null) {
                fresh = new Endpoint(i, e.getAddress(), e.getPort(), fresh.weight(), e.getPriority(), e.getAddress(), known.health());
            } else if (c.hasHealthCheck()) {
                // Actively checked endpoints take no traffic until a check passes (panic mode aside).
                fresh.health().failedActiveCheck(true);
            }
            fresh.health().failedEdsHealth(failsEdsHealth(e.getHealthStatus()));
            eps.add(fresh);
        }
        return eps;
    }

    /** Whether an endpoint's {@code health_status} keeps it from traffic while counting in its level. */
    private static boolean failsEdsHealth(HealthStatus s) {
        return s == HealthStatus.UNHEALTHY || s == HealthStatus.TIMEOUT;
    }

    /**
     * This cluster with {@code endpoints} instead (a strict_dns cluster's current answer):
     * a new runtime, so workers retire their pools and balancers rebuild. New endpoints that
     * are actively checked should start failed, as configured ones do.
     */
    public ClusterRuntime withEndpoints(List<Endpoint> endpoints) {
        return new ClusterRuntime(config, endpoints);
    }


    public String name() { return name; }
    public SocketFlavor flavor() { return flavor; }
    public List<Endpoint> endpoints() { return endpoints; }
    /** The cluster's consistent-hash key when a route names none (the client's IP by default). */
    public HashKey hashKey() { return hashKey; }
    public long connectTimeoutMillis() { return connectTimeoutMillis; }
    public long idleTimeoutMillis() { return idleTimeoutMillis; }
    public int maxConnectionsPerWorker() { return maxConnectionsPerWorker; }
    /**
     * The load-balancer plugin of this cluster: a built-in policy's name ({@code round_robin},
     * {@code least_request}, {@code random}, {@code ring_hash}, {@code maglev}) or a plugin's.
     */
    public String lbPolicy() { return lbPolicy; }
    /** The balancer's config ({@code lb_policy.config}; {@code minimum_ring_size} from {@code ring_size}). */
    public Struct lbConfig() { return lbConfig; }

    /** A value {@link #shared} made already, or null. */
    @SuppressWarnings("unchecked")
    public <T> T sharedIfPresent(Object key) {
        return (T) shared.get(key);
    }

    /** What {@code compute} makes of this endpoint set, once for every worker. */
    @SuppressWarnings("unchecked")
    public <T> T shared(Object key, Supplier<T> compute) {
        return (T) shared.computeIfAbsent(key, k -> compute.get());
    }

    static String lbPolicyOf(Cluster c) {
        if (c.hasLbPolicy() && !c.getLbPolicy().getPlugin().isEmpty()) return c.getLbPolicy().getPlugin();
        LbPolicyKind kind = c.hasLbPolicy() ? c.getLbPolicy().getKind() : LbPolicyKind.ROUND_ROBIN;
        return (kind == LbPolicyKind.UNRECOGNIZED ? LbPolicyKind.ROUND_ROBIN : kind).name().toLowerCase(Locale.ROOT);
    }

    private static Struct lbConfigOf(Cluster c) {
        if (c.hasLbPolicy() && !c.getLbPolicy().getPlugin().isEmpty()) return c.getLbPolicy().getConfig();
        if (c.getRingSize() == 0 || !lbPolicyOf(c).equals("ring_hash")) return Struct.getDefaultInstance();
        return Struct.newBuilder().putFields("minimum_ring_size", Value.newBuilder().setNumberValue(c.getRingSize()).build()).build();
    }
    /**
     * Outlier detection on an endpoint's answer: true when it ejects the endpoint (its
     * consecutive_5xx streak is complete and fewer than max_ejection_percent are out).
     */
    public boolean recordAnswer(int endpointIndex, int status) {
        if (consecutive5xx == 0) return false;
        EndpointHealth h = endpoints.get(endpointIndex).health();
        if (status < 500) {
            h.onAnswer();
            return false;
        }
        if (!h.on5xx(consecutive5xx)) return false;
        long nowNanos = System.nanoTime();
        int out = 0;
        for (Endpoint e : endpoints) if (!e.health().healthy(nowNanos)) out++;
        if (out >= maxEjected) return false;
        h.eject(nowNanos, baseEjectionNanos);
        return true;
    }

    /** The cluster's circuit breakers (every worker shares them). */
    public ClusterBreakers breakers() {
        return breakers;
    }

    /** The PROXY protocol version L4 connections to this cluster start with, or 0. */
    public int proxyProtocolVersion() { return proxyProtocolVersion; }

    /** Whether requests go upstream as HTTP/2 streams. */
    public boolean http2() { return http2MaxStreams > 0; }
    /** HTTP/2: streams per upstream connection before another one opens. */
    public int http2MaxStreams() { return http2MaxStreams; }
    /** The active health check, or null. */
    public HealthCheck healthCheck() { return healthCheck; }
}
