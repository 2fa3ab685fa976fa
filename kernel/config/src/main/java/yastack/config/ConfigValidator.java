package yastack.config;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import yastack.api.config.Admin;
import yastack.api.config.Bootstrap;
import yastack.api.config.Cluster;
import yastack.api.config.ClusterTls;
import yastack.api.config.Endpoint;
import yastack.api.config.HashPolicy;
import yastack.api.config.HealthCheck;
import yastack.api.config.LbPolicy;
import yastack.api.config.Listener;
import yastack.api.config.ListenerTls;
import yastack.api.config.SocketFlavor;
import yastack.api.config.TcpProxy;

/**
 * Semantic checks on a parsed config: the things the schema's types cannot say (ranges,
 * exclusive choices, references between sections, files on disk). Collects every problem.
 */
final class ConfigValidator {
    static final int DEFAULT_ADMIN_PORT = 9901;
    /** Envoy's highest priority level (its EDS validation allows 0..127). */
    static final int MAX_PRIORITY = 127;
    static final String DEFAULT_ADMIN_ADDRESS = "127.0.0.1";
    static final String NEEDS_STACK = "flavor userspace needs a stack: section with an interface";
    private static final Set<String> ALPN = Set.of("h2", "http/1.1");
    /** What HostTransport.select takes (the kernel, which the config does not see, holds the classes). */
    private static final Set<String> HOST_TRANSPORTS = Set.of("auto", "io_uring", "epoll", "nio");

    private final Bootstrap config;
    private final Findings f;
    private final StackValidator stack;
    private final HttpValidator http;
    private final EdgeValidator edge;
    private final DiscoveryValidator discovery;
    private final boolean composed;

    private ConfigValidator(Bootstrap config, SourceLines lines, Path baseDir, BooleanSupplier dpdkInstalled, boolean composed) {
        this.config = config;
        this.composed = composed;
        this.f = new Findings(lines, baseDir);
        this.stack = new StackValidator(config, f, dpdkInstalled);
        Set<String> clusterNames = new HashSet<>();
        Set<String> l4Only = new HashSet<>();
        config.getClustersList().forEach(c -> {
            clusterNames.add(c.getName());
            if (c.hasProxyProtocol()) l4Only.add(c.getName());
        });
        // Clusters a control plane sends may be named before they arrive (Envoy's rule too).
        this.http = new HttpValidator(f, clusterNames, l4Only, composed || DynamicValidator.clustersFromControlPlane(config));
        this.edge = new EdgeValidator(f);
        this.discovery = new DiscoveryValidator(f);
    }

    /**
     * Every semantic problem in {@code config}, ordered by line. {@code composed}: the config
     * was put together from a file and a control plane's resources, whose clusters may have no
     * endpoints yet (or none left) and whose routes may name clusters still to come.
     */
    static List<ConfigError> validate(Bootstrap config, SourceLines lines, Path baseDir, BooleanSupplier dpdkInstalled,
                                      boolean composed) {
        ConfigValidator v = new ConfigValidator(config, lines, baseDir, dpdkInstalled, composed);
        v.run();
        List<ConfigError> errors = new ArrayList<>(v.f.errors());
        errors.sort(Comparator.comparingInt(e -> e.line() == 0 ? Integer.MAX_VALUE : e.line()));
        return errors;
    }

    private void run() {
        if (config.hasAdmin()) admin(config.getAdmin());
        String transport = config.getHostTransport();
        if (f.given("host_transport", transport) && !HOST_TRANSPORTS.contains(transport)) {
            f.error("host_transport", "must be auto, io_uring, epoll or nio, got '" + transport + "'");
        }
        stack.validate();
        Map<String, Integer> listenerNames = new HashMap<>();
        for (int i = 0; i < config.getListenersCount(); i++) {
            listener("listeners[" + i + "]", config.getListeners(i));
            uniqueName("listeners", i, config.getListeners(i).getName(), listenerNames, "listener");
        }
        portConflicts();
        Map<String, Integer> clusterNames = new HashMap<>();
        for (int i = 0; i < config.getClustersCount(); i++) {
            cluster("clusters[" + i + "]", config.getClusters(i));
            uniqueName("clusters", i, config.getClusters(i).getName(), clusterNames, "cluster");
        }
        if (config.hasOverloadManager()) edge.overloadManager("overload_manager", config.getOverloadManager());
        if (config.hasDrain()) discovery.drain("drain", config.getDrain());
        new ObservabilityValidator(f).accessLogs("access_log", config.getAccessLogList());
        new DynamicValidator(config, f).validate();
    }

    private void uniqueName(String list, int i, String name, Map<String, Integer> seen, String what) {
        String path = list + "[" + i + "].name";
        if (name.isEmpty()) {
            f.error(path, "a " + what + " name is required");
            return;
        }
        Integer first = seen.putIfAbsent(name, i);
        if (first != null) f.error(path, "duplicate " + what + " name '" + name + "' (first used by " + list + "[" + first + "])");
    }

    private void admin(Admin admin) {
        f.address("admin.address", admin.getAddress());
        if (f.written("admin.port") || admin.getPort() != 0) f.port("admin.port", admin.getPort());
    }

    private void listener(String path, Listener l) {
        f.address(path + ".address", l.getAddress());
        f.port(path + ".port", l.getPort());
        f.exclusive(path, true, "http", l.hasHttp(), "tcp", l.hasTcp());
        if (l.hasHttp()) http.connectionManager(path + ".http", l.getHttp());
        if (l.hasTcp()) tcpProxy(path + ".tcp", l.getTcp());
        if (l.hasTls()) listenerTls(path + ".tls", l.getTls());
        if (l.hasHttp() && l.hasTls()) codecAndAlpn(path, l);
        edge.listener(path, l);
        if (l.getFlavor() == SocketFlavor.USERSPACE) {
            if (stack.requireInterfaces(path + ".flavor")) {
                String address = l.getAddress().isEmpty() ? "0.0.0.0" : l.getAddress();
                InetAddress a = NetText.ipLiteral(address);
                if (a == null || !(NetText.isWildcard(address) || stack.interfaceAddresses().contains(a))) {
                    f.error(path + ".address", "a userspace listener must listen on 0.0.0.0 or an interface address ("
                            + String.join(", ", stack.interfaceAddressTexts()) + "), got '" + address + "'");
                }
            }
        }
    }

    private record Bound(SocketFlavor flavor, int port, String address, String owner) {}

    /** Two listeners of the same flavor cannot bind the same port on overlapping addresses, nor the admin's. */
    private void portConflicts() {
        Admin admin = config.getAdmin();
        int adminPort = admin.getPort() == 0 ? DEFAULT_ADMIN_PORT : admin.getPort();
        String adminAddress = admin.getAddress().isEmpty() ? DEFAULT_ADMIN_ADDRESS : admin.getAddress();
        List<Bound> bound = new ArrayList<>();
        bound.add(new Bound(SocketFlavor.HOST, adminPort, adminAddress, "the admin API"));
        for (int i = 0; i < config.getListenersCount(); i++) {
            Listener l = config.getListeners(i);
            if (l.getPort() == 0) continue;
            String address = l.getAddress().isEmpty() ? "0.0.0.0" : l.getAddress();
            for (Bound b : bound) {
                if (b.flavor() == l.getFlavor() && b.port() == l.getPort() && overlaps(address, b.address())) {
                    f.error("listeners[" + i + "].port", "port " + l.getPort() + " on " + address
                            + " is already used by " + b.owner());
                    break;
                }
            }
            bound.add(new Bound(l.getFlavor(), l.getPort(), address, "listeners[" + i + "]"));
        }
    }

    private static boolean overlaps(String a, String b) {
        return a.equalsIgnoreCase(b) || NetText.isWildcard(a) || NetText.isWildcard(b);
    }

    private void tcpProxy(String path, TcpProxy tcp) {
        http.clusterRef(path + ".cluster", tcp.getCluster(), true);
        f.nonNegative(path + ".idle_timeout", tcp.hasIdleTimeout(), tcp.getIdleTimeout());
    }

    private void listenerTls(String path, ListenerTls tls) {
        if (tls.getCertificatesCount() == 0) f.error(path + ".certificates", "TLS needs at least one certificate");
        for (int i = 0; i < tls.getCertificatesCount(); i++) {
            String p = path + ".certificates[" + i + "]";
            var c = tls.getCertificates(i);
            pem(p, "cert", c.getCert(), c.getCertPem(), "certificate", true);
            pem(p, "key", c.getKey(), c.getKeyPem(), "private key", true);
            String staple = tls.getCertificates(i).getOcspStaple();
            if (!staple.isEmpty()) {
                f.existingFile(p + ".ocsp_staple", staple, "OCSP response");
            } else if (tls.getOcspStaplePolicy() == ListenerTls.OcspStaplePolicy.MUST_STAPLE) {
                f.error(p, "ocsp_staple_policy must_staple needs an ocsp_staple for every certificate");
            }
        }
        for (int i = 0; i < tls.getAlpnCount(); i++) {
            if (!ALPN.contains(tls.getAlpn(i))) {
                f.error(path + ".alpn[" + i + "]", "unknown ALPN protocol '" + tls.getAlpn(i) + "'; expected h2 or http/1.1");
            }
        }
        pem(path, "client_ca", tls.getClientCa(), tls.getClientCaPem(), "client CA", false);
    }

    /** A codec_type of one HTTP version must not let ALPN agree on the other. */
    private void codecAndAlpn(String path, Listener l) {
        var codec = l.getHttp().getCodecType();
        String other = switch (codec) {
            case HTTP1 -> "h2";
            case HTTP2 -> "http/1.1";
            default -> null;
        };
        if (other != null && l.getTls().getAlpnList().contains(other)) {
            f.error(path + ".tls.alpn", "lists " + other + ", which http.codec_type " + codec.name().toLowerCase(java.util.Locale.ROOT)
                    + " does not speak");
        }
    }

    /** A PEM given as a file ({@code name}) or inline ({@code name_pem}): one of them, and the file there. */
    private void pem(String path, String name, String file, String inline, String what, boolean required) {
        boolean hasFile = f.given(path + "." + name, file), hasInline = f.given(path + "." + name + "_pem", inline);
        if (hasFile && hasInline) {
            f.error(path, "has " + name + " and " + name + "_pem; give one");
        } else if (hasInline) {
            if (!inline.contains("-----BEGIN ")) f.error(path + "." + name + "_pem", "is not PEM text (no -----BEGIN line)");
        } else if (hasFile || required) {
            f.existingFile(path + "." + name, file, what);
        }
    }

    private void cluster(String path, Cluster c) {
        if (c.getEndpointsCount() == 0 && !composed) f.error(path + ".endpoints", "a cluster needs at least one endpoint");
        for (int i = 0; i < c.getEndpointsCount(); i++) {
            Endpoint e = c.getEndpoints(i);
            String p = path + ".endpoints[" + i + "]";
            if (e.getAddress().isEmpty()) f.error(p + ".address", "an endpoint address is required");
            else f.address(p + ".address", e.getAddress());
            f.port(p + ".port", e.getPort());
            if (Integer.compareUnsigned(e.getPriority(), MAX_PRIORITY) > 0) {
                f.error(p + ".priority", "must be 0.." + MAX_PRIORITY + ", got " + Integer.toUnsignedString(e.getPriority()));
            }
        }
        if (c.getFlavor() == SocketFlavor.USERSPACE) stack.requireInterfaces(path + ".flavor");
        discovery.cluster(path, c);
        if (c.hasLbPolicy()) lbPolicy(path + ".lb_policy", c.getLbPolicy());
        f.nonNegative(path + ".connect_timeout", c.hasConnectTimeout(), c.getConnectTimeout());
        f.nonNegative(path + ".idle_timeout", c.hasIdleTimeout(), c.getIdleTimeout());
        if (c.hasHashPolicy()) hashPolicy(f, path + ".hash_policy", c.getHashPolicy());
        if (c.hasTls()) clusterTls(path + ".tls", c.getTls());
        if (c.hasHealthCheck()) healthCheck(path + ".health_check", c.getHealthCheck());
        if (c.hasProxyProtocol() && c.getProxyProtocol().getVersion() > 2) {
            f.error(path + ".proxy_protocol.version", "must be 1 or 2, got " + Integer.toUnsignedString(c.getProxyProtocol().getVersion()));
        }
        if (c.hasOutlierDetection()) {
            var od = c.getOutlierDetection();
            f.positive(path + ".outlier_detection.base_ejection_time", od.hasBaseEjectionTime(), od.getBaseEjectionTime());
            if (Integer.compareUnsigned(od.getMaxEjectionPercent(), 100) > 0) {
                f.error(path + ".outlier_detection.max_ejection_percent", "must be 0..100, got " + Integer.toUnsignedString(od.getMaxEjectionPercent()));
            }
        }
        if (c.hasCircuitBreakers()) edge.circuitBreakers(path + ".circuit_breakers", c.getCircuitBreakers());
        if (c.hasHttp2ProtocolOptions()) edge.clusterHttp2(path + ".http2_protocol_options", c.getHttp2ProtocolOptions());
        if (c.hasHttp2ProtocolOptions() && c.hasHealthCheck() && !c.getHealthCheck().getPath().isEmpty()) {
            f.error(path + ".health_check.path", "HTTP health checks speak HTTP/1.1 and this cluster speaks HTTP/2 only: "
                    + "leave path empty for a TCP (and TLS) connect check");
        }
    }

    private void healthCheck(String path, HealthCheck h) {
        if (f.given(path + ".path", h.getPath()) && !h.getPath().startsWith("/")) f.error(path + ".path", "must start with /");
        else if (h.getPath().chars().anyMatch(ch -> ch <= ' ' || ch >= 0x7f)) f.error(path + ".path", "must not contain spaces or control characters");
        f.positive(path + ".interval", h.hasInterval(), h.getInterval());
        f.positive(path + ".timeout", h.hasTimeout(), h.getTimeout());
        for (int i = 0; i < h.getExpectedStatusesCount(); i++) {
            int s = h.getExpectedStatuses(i);
            if (s < 200 || s > 599) f.error(path + ".expected_statuses[" + i + "]", "must be a final HTTP status 200..599, got " + Integer.toUnsignedString(s));
        }
        if (h.getExpectedStatusesCount() > 0 && h.getPath().isEmpty()) {
            f.error(path + ".expected_statuses", "needs a path: without one the check is a TCP connect");
        }
        if (!h.getHost().isEmpty() && !NetText.isAddressOrHostname(h.getHost().replaceFirst(":\\d+$", ""))) {
            f.error(path + ".host", "'" + h.getHost() + "' is not a host name");
        }
    }

    private void lbPolicy(String path, LbPolicy lb) {
        boolean pluginForm = f.written(path + ".plugin");
        if (pluginForm && lb.getPlugin().isBlank()) f.error(path + ".plugin", "an lb_policy plugin name must not be empty");
        if (pluginForm && f.written(path + ".kind")) {
            f.error(path, "give either a built-in kind or a plugin, not both");
        }
        if (lb.hasConfig() && !pluginForm) f.error(path + ".config", "config is for lb_policy plugins; add plugin: NAME");
    }

    static void hashPolicy(Findings f, String path, HashPolicy h) {
        f.exclusive(path, false, "header", !h.getHeader().isEmpty(), "cookie", !h.getCookie().isEmpty(),
                "source_ip", h.getSourceIp(), "query_parameter", !h.getQueryParameter().isEmpty());
        if (!h.getHeader().isEmpty()) f.headerName(path + ".header", h.getHeader());
        if (f.written(path + ".cookie") && !NetText.isToken(h.getCookie())) {
            f.error(path + ".cookie", "'" + h.getCookie() + "' is not a valid cookie name");
        }
    }

    private void clusterTls(String path, ClusterTls tls) {
        if (!tls.getSni().isEmpty() && !NetText.isHostname(tls.getSni())) {
            f.error(path + ".sni", "'" + tls.getSni() + "' is not a host name");
        }
        pem(path, "ca", tls.getCa(), tls.getCaPem(), "CA", false);
        boolean cert = !tls.getCert().isEmpty() || !tls.getCertPem().isEmpty(), key = !tls.getKey().isEmpty() || !tls.getKeyPem().isEmpty();
        if (cert != key) f.error(path, "a client certificate needs both " + (cert ? "a key (key or key_pem)" : "a certificate (cert or cert_pem)"));
        pem(path, "cert", tls.getCert(), tls.getCertPem(), "client certificate", false);
        pem(path, "key", tls.getKey(), tls.getKeyPem(), "client key", false);
    }
}
