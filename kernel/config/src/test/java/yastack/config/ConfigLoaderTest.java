package yastack.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import yastack.api.config.Bootstrap;
import yastack.api.config.Cluster;
import yastack.api.config.LbPolicyKind;
import yastack.api.config.Route;
import yastack.api.config.SocketFlavor;
import yastack.api.config.VirtualHost;

class ConfigLoaderTest {
    static final String EXAMPLE = """
            admin: {address: 127.0.0.1, port: 9901}
            listeners:
              - name: web
                address: 0.0.0.0
                port: 8080
                flavor: host
                http:
                  route_config:
                    virtual_hosts:
                      - name: default
                        domains: ["*"]
                        routes:
                          - match: {prefix: "/api/", headers: [{name: x-canary, exact: "1"}]}
                            route: {cluster: api, prefix_rewrite: "/", timeout: 5s}
                          - match: {path: "/healthz"}
                            direct_response: {status: 200, body: "ok"}
                          - match: {regex: "^/v[0-9]+/.*"}
                            route: {weighted_clusters: [{name: v1, weight: 90}, {name: v2, weight: 10}]}
                          - match: {prefix: "/old"}
                            redirect: {path: "/new", code: 301}
            clusters:
              - name: api
                flavor: host
                lb_policy: round_robin
                connect_timeout: 1s
                endpoints: [{address: 127.0.0.1, port: 9000, weight: 1}]
              - {name: v1, endpoints: [{address: 127.0.0.1, port: 9001}]}
              - {name: v2, lb_policy: maglev, hash_policy: {header: x-user}, endpoints: [{address: 127.0.0.1, port: 9002}]}
            """;

    @Test
    void exampleParsesWithTheWrittenValues() throws ConfigException {
        LoadedConfig loaded = ConfigLoader.parse(EXAMPLE, null);
        Bootstrap b = loaded.bootstrap();
        assertNull(loaded.file());
        assertEquals(Path.of("").toAbsolutePath(), loaded.baseDir());
        assertEquals("127.0.0.1", b.getAdmin().getAddress());
        assertEquals(9901, b.getAdmin().getPort());
        assertEquals(1, b.getListenersCount());
        var web = b.getListeners(0);
        assertEquals("web", web.getName());
        assertEquals("0.0.0.0", web.getAddress());
        assertEquals(8080, web.getPort());
        assertEquals(SocketFlavor.HOST, web.getFlavor());
        assertTrue(web.hasHttp());
        assertFalse(web.hasTcp());
        VirtualHost vh = web.getHttp().getRouteConfig().getVirtualHosts(0);
        assertEquals("default", vh.getName());
        assertEquals(List.of("*"), vh.getDomainsList());
        assertEquals(4, vh.getRoutesCount());

        Route api = vh.getRoutes(0);
        assertEquals("/api/", api.getMatch().getPrefix());
        assertEquals("x-canary", api.getMatch().getHeaders(0).getName());
        assertEquals("1", api.getMatch().getHeaders(0).getExact());
        assertEquals("api", api.getRoute().getCluster());
        assertEquals("/", api.getRoute().getPrefixRewrite());
        assertEquals(5, api.getRoute().getTimeout().getSeconds());
        assertEquals(0, api.getRoute().getTimeout().getNanos());

        Route health = vh.getRoutes(1);
        assertEquals("/healthz", health.getMatch().getPath());
        assertEquals(200, health.getDirectResponse().getStatus());
        assertEquals("ok", health.getDirectResponse().getBody());

        Route versioned = vh.getRoutes(2);
        assertEquals("^/v[0-9]+/.*", versioned.getMatch().getRegex());
        assertEquals("v1", versioned.getRoute().getWeightedClusters(0).getName());
        assertEquals(90, versioned.getRoute().getWeightedClusters(0).getWeight());
        assertEquals("v2", versioned.getRoute().getWeightedClusters(1).getName());
        assertEquals(10, versioned.getRoute().getWeightedClusters(1).getWeight());

        Route old = vh.getRoutes(3);
        assertEquals("/old", old.getMatch().getPrefix());
        assertEquals("/new", old.getRedirect().getPath());
        assertEquals(301, old.getRedirect().getCode());

        assertEquals(3, b.getClustersCount());
        Cluster c0 = b.getClusters(0);
        assertEquals("api", c0.getName());
        assertEquals(LbPolicyKind.ROUND_ROBIN, c0.getLbPolicy().getKind());
        assertTrue(c0.hasLbPolicy());
        assertEquals(1, c0.getConnectTimeout().getSeconds());
        assertEquals("127.0.0.1", c0.getEndpoints(0).getAddress());
        assertEquals(9000, c0.getEndpoints(0).getPort());
        assertEquals(1, c0.getEndpoints(0).getWeight());
        assertEquals(9001, b.getClusters(1).getEndpoints(0).getPort());
        assertFalse(b.getClusters(1).hasLbPolicy());
        Cluster c2 = b.getClusters(2);
        assertEquals(LbPolicyKind.MAGLEV, c2.getLbPolicy().getKind());
        assertEquals("x-user", c2.getHashPolicy().getHeader());
    }

    @Test
    void pluginFormsAndStructConfigs(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("steer.js"), "export default {}");
        Files.writeString(dir.resolve("auth.js"), "export default {}");
        String yaml = """
                stack:
                  idle: adaptive
                  rss: {mode: software, steering: toeplitz}
                  interfaces: [{name: t0, backend: tap, ip: 10.213.7.2/24, gateway: 10.213.7.1, mtu: 1500}]
                listeners:
                  - name: l4
                    port: 9000
                    flavor: userspace
                    address: 10.213.7.2
                    tcp: {cluster: c, idle_timeout: 1m30s}
                  - name: h
                    port: 8081
                    http:
                      router: {plugin: my-router, config: {rules: [{a: 1}, true, null, 2.5], name: x}}
                      filters:
                        - {script: auth.js, config: {realm: "r"}}
                        - name: headers
                clusters:
                  - name: c
                    lb_policy: {plugin: sticky, config: {ttl: 30, keys: [a, b]}}
                    endpoints: [{address: backend.example.com, port: 80}]
                """;
        Bootstrap b = ConfigLoader.parse(yaml, dir).bootstrap();
        assertEquals("toeplitz", b.getStack().getRss().getSteering().getPlugin());
        assertEquals(SocketFlavor.USERSPACE, b.getListeners(0).getFlavor());
        assertEquals(90, b.getListeners(0).getTcp().getIdleTimeout().getSeconds());
        var router = b.getListeners(1).getHttp().getRouter();
        assertEquals("my-router", router.getPlugin());
        var rules = router.getConfig().getFieldsOrThrow("rules").getListValue();
        assertEquals(1.0, rules.getValues(0).getStructValue().getFieldsOrThrow("a").getNumberValue());
        assertTrue(rules.getValues(1).getBoolValue());
        assertTrue(rules.getValues(2).hasNullValue());
        assertEquals(2.5, rules.getValues(3).getNumberValue());
        assertEquals("auth.js", b.getListeners(1).getHttp().getFilters(0).getScript());
        assertEquals("r", b.getListeners(1).getHttp().getFilters(0).getConfig().getFieldsOrThrow("realm").getStringValue());
        var lb = b.getClusters(0).getLbPolicy();
        assertEquals("sticky", lb.getPlugin());
        assertEquals(30.0, lb.getConfig().getFieldsOrThrow("ttl").getNumberValue());
        assertEquals("b", lb.getConfig().getFieldsOrThrow("keys").getListValue().getValues(1).getStringValue());
    }

    @Test
    void scriptSteeringAndMergeKeys(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("steer.js"), "");
        String yaml = """
                stack:
                  rss: {steering: {script: steer.js}}
                  interfaces: [{backend: tap, ip: 10.0.0.2/24}]
                clusters:
                  - name: a
                    endpoints: [&ep {address: 127.0.0.1, port: 9000}]
                  - name: b
                    endpoints: [{<<: *ep, port: 9001}]
                """;
        Bootstrap b = ConfigLoader.parse(yaml, dir).bootstrap();
        assertEquals("steer.js", b.getStack().getRss().getSteering().getScript());
        assertEquals("127.0.0.1", b.getClusters(1).getEndpoints(0).getAddress());
        assertEquals(9001, b.getClusters(1).getEndpoints(0).getPort());
    }

    @Test
    void loadResolvesRelativeFilesAgainstTheConfigDirectory(@TempDir Path dir) throws IOException, ConfigException {
        Path sub = Files.createDirectories(dir.resolve("conf"));
        Files.writeString(sub.resolve("cert.pem"), "x");
        Files.writeString(sub.resolve("key.pem"), "x");
        Path file = sub.resolve("yastack.yaml");
        Files.writeString(file, EXAMPLE.replace("    flavor: host\n    http:",
                "    flavor: host\n    tls: {certificates: [{cert: cert.pem, key: key.pem}], alpn: [h2, http/1.1]}\n    http:"));
        LoadedConfig loaded = ConfigLoader.load(file);
        assertEquals(file, loaded.file());
        assertEquals(sub.toAbsolutePath().normalize(), loaded.baseDir());
        assertEquals("cert.pem", loaded.bootstrap().getListeners(0).getTls().getCertificates(0).getCert());
        // The same config from elsewhere cannot find its certificates.
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.parse(Files.readString(file), dir));
        assertEquals("listeners[0].tls.certificates[0].cert", e.errors().get(0).path());
        assertEquals(7, e.errors().get(0).line());
        assertEquals("listeners[0].tls.certificates[0].key", e.errors().get(1).path());
    }

    @Test
    void missingFileIsReported(@TempDir Path dir) {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(dir.resolve("nope.yaml")));
        assertEquals(1, e.errors().size());
        assertEquals("", e.errors().getFirst().path());
        assertEquals(0, e.errors().getFirst().line());
        assertTrue(e.getMessage().startsWith("config file not found: "), e.getMessage());
    }

    @Test
    void errorFormat() {
        assertEquals("clusters[1].endpoints[0].port: must be 1..65535 (line 23)",
                new ConfigError("clusters[1].endpoints[0].port", "must be 1..65535", 23).toString());
        assertEquals("the config is empty", new ConfigError("", "the config is empty", 0).toString());
        ConfigException e = new ConfigException(List.of(new ConfigError("a", "x", 1), new ConfigError("b", "y", 2)));
        assertEquals("a: x (line 1)\nb: y (line 2)", e.getMessage());
    }
}
