package yastack.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECPoint;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import yastack.proxy.fixtures.TestUpstream;

/**
 * The built-in access-control filters through the real proxy, as a user configures them:
 * {@code rbac} (with a trusted proxy in front), {@code ext_authz} against an authorization
 * service, {@code jwt_authn} with keys fetched from the identity provider's cluster.
 */
class AccessControlPluginsIT {
    static TestUpstream canary;
    static Process proxy;
    static int adminPort, guardedPort, authzPort, jwtPort;
    static KeyPair tokenKey;
    static HttpServer auth;
    static final List<String> authSaw = new CopyOnWriteArrayList<>();
    static final HttpClient client = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        canary = new TestUpstream("canary");
        KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
        ec.initialize(new ECGenParameterSpec("secp256r1"));
        tokenKey = ec.generateKeyPair();
        auth = authService();
        adminPort = Dist.freePort();
        guardedPort = Dist.freePort();
        authzPort = Dist.freePort();
        jwtPort = Dist.freePort();
        Path dir = Files.createTempDirectory("yastack-access-it");
        Path cfg = dir.resolve("yastack.yaml");
        Files.writeString(cfg, """
                admin: {address: 127.0.0.1, port: %d}
                listeners:
                  - name: guarded
                    address: 127.0.0.1
                    port: %d
                    http:
                      xff_num_trusted_hops: 1
                      filters:
                        - name: rbac
                          config:
                            policies:
                              office: {permissions: [{url_path: {prefix: /admin}}],
                                       principals: [{and: [{remote_ip: 10.0.0.0/8}, {direct_remote_ip: 127.0.0.1/32}]}]}
                              everyone: {permissions: [{not: {url_path: {prefix: /admin}}}], principals: [{any: true}]}
                      route_config:
                        virtual_hosts: [{name: all, domains: ["*"], routes: [{match: {prefix: "/"}, route: {cluster: web-canary}}]}]
                  - name: authz
                    address: 127.0.0.1
                    port: %d
                    http:
                      filters:
                        - name: ext_authz
                          config: {cluster: auth, path_prefix: /verify, allowed_upstream_headers: [x-user], timeout: 5s}
                      route_config:
                        virtual_hosts: [{name: all, domains: ["*"], routes: [{match: {prefix: "/"}, route: {cluster: web-canary}}]}]
                  - name: jwt
                    address: 127.0.0.1
                    port: %d
                    http:
                      filters:
                        - name: jwt_authn
                          config:
                            providers:
                              idp: {issuer: "https://idp.it", remote_jwks: {cluster: auth, path: /jwks},
                                    claim_to_headers: [{header_name: x-user, claim_name: sub}]}
                            rules: [{match: {prefix: /}, requires: idp}]
                      route_config:
                        virtual_hosts: [{name: all, domains: ["*"], routes: [{match: {prefix: "/"}, route: {cluster: web-canary}}]}]
                clusters:
                  - {name: web-canary, endpoints: [{address: 127.0.0.1, port: %d}]}
                  - {name: auth, endpoints: [{address: 127.0.0.1, port: %d}]}
                """.formatted(adminPort, guardedPort, authzPort, jwtPort, canary.port(), auth.getAddress().getPort()));
        Path log = dir.resolve("yastack.log");
        proxy = Dist.startRun(cfg, log, List.of(), "--workers", "2");
        Dist.awaitReady(adminPort, proxy, log);
    }

    @AfterAll
    static void stop() throws Exception {
        Dist.stop(proxy);
        if (auth != null) auth.stop(0);
        if (canary != null) canary.close();
    }

    @Test
    void rbacAllowsOnlyWhatAPolicyMatches() throws Exception {
        HttpResponse<String> admin = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + guardedPort + "/admin/x")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(403, admin.statusCode(), "127.0.0.1 is not in the office range");
        assertEquals("RBAC: access denied\n", admin.body());
        HttpResponse<String> shop = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + guardedPort + "/shop")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, shop.statusCode(), shop.body());
        // The office's address forwarded by the trusted proxy in front (127.0.0.1, the TCP peer).
        HttpResponse<String> viaProxy = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + guardedPort + "/admin/x"))
                .header("X-Forwarded-For", "10.1.2.3").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, viaProxy.statusCode(), viaProxy.body());
        String stats = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/stats?filter=rbac")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertTrue(stats.contains("plugin.rbac.denied: 1") && stats.contains("plugin.rbac.allowed: 2"), stats);
    }

    /** An authorization service: "Bearer good" is alice, anything else a 401 with a challenge. */
    private static HttpServer authService() throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        s.createContext("/", ex -> {
            authSaw.add(ex.getRequestMethod() + " " + ex.getRequestURI() + " for " + ex.getRequestHeaders().getFirst("X-Forwarded-Uri"));
            boolean good = "Bearer good".equals(ex.getRequestHeaders().getFirst("Authorization"));
            byte[] body = (good ? "" : "no entry\n").getBytes();
            if (good) ex.getResponseHeaders().add("X-User", "alice");
            else ex.getResponseHeaders().add("WWW-Authenticate", "Bearer realm=\"it\"");
            ex.sendResponseHeaders(good ? 200 : 401, body.length == 0 ? -1 : body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        s.createContext("/jwks", ex -> {
            ECPoint w = ((ECPublicKey) tokenKey.getPublic()).getW();
            byte[] body = ("{\"keys\": [{\"kty\": \"EC\", \"kid\": \"k1\", \"crv\": \"P-256\", \"x\": \"" + coordinate(w.getAffineX())
                    + "\", \"y\": \"" + coordinate(w.getAffineY()) + "\"}]}").getBytes();
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        s.start();
        return s;
    }

    private static String coordinate(BigInteger c) {
        byte[] b = c.toByteArray(), out = new byte[32];
        int skip = b.length > 32 ? b.length - 32 : 0;
        System.arraycopy(b, skip, out, 32 - (b.length - skip), b.length - skip);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(out);
    }

    /** An ES256 token from the test's identity provider for {@code sub}. */
    private static String token(String sub) throws Exception {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        long exp = System.currentTimeMillis() / 1000 + 300;
        String input = b64.encodeToString("{\"alg\":\"ES256\",\"kid\":\"k1\"}".getBytes()) + "."
                + b64.encodeToString(("{\"iss\":\"https://idp.it\",\"sub\":\"" + sub + "\",\"exp\":" + exp + "}").getBytes());
        Signature s = Signature.getInstance("SHA256withECDSAinP1363Format");
        s.initSign(tokenKey.getPrivate());
        s.update(input.getBytes());
        return input + "." + b64.encodeToString(s.sign());
    }

    @Test
    void jwtAuthnVerifiesTokensWithKeysFetchedFromTheProvider() throws Exception {
        HttpResponse<String> in = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + jwtPort + "/account"))
                .header("Authorization", "Bearer " + token("bob")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, in.statusCode(), in.body());
        assertTrue(in.body().contains("h:x-user=bob") && !in.body().contains("h:authorization"), in.body());
        HttpResponse<String> out = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + jwtPort + "/account")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(401, out.statusCode());
        assertEquals("Jwt is missing", out.body());
        assertTrue(out.headers().firstValue("www-authenticate").orElse("").startsWith("Bearer realm="), out.headers().toString());
        String stats = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/stats?filter=jwt_authn")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertTrue(stats.contains("plugin.jwt_authn.allowed: 1") && stats.contains("plugin.jwt_authn.denied: 1")
                && stats.contains("plugin.jwt_authn.jwks_fetch_success: 1"), stats);
    }

    @Test
    void extAuthzAsksTheServiceAndPassesItsVerdictOn() throws Exception {
        HttpResponse<String> in = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + authzPort + "/private?q=1"))
                .header("Authorization", "Bearer good").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, in.statusCode(), in.body());
        assertTrue(in.body().contains("h:x-user=alice"), "the service's user reaches the upstream: " + in.body());
        assertTrue(authSaw.contains("GET /verify/private?q=1 for /private?q=1"), authSaw.toString());
        HttpResponse<String> posted = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + authzPort + "/orders"))
                .header("Authorization", "Bearer good").POST(HttpRequest.BodyPublishers.ofString("one order")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(posted.statusCode() == 200 && posted.body().contains("body=one order"), "the body waits for the verdict: " + posted.body());
        HttpResponse<String> out = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + authzPort + "/private")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(401, out.statusCode(), out.body());
        assertEquals("no entry\n", out.body());
        assertEquals("Bearer realm=\"it\"", out.headers().firstValue("www-authenticate").orElse(""));
        String stats = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/stats?filter=ext_authz")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertTrue(stats.contains("plugin.ext_authz.ok: 2") && stats.contains("plugin.ext_authz.denied: 1"), stats);
    }
}
