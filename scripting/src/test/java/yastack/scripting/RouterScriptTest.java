package yastack.scripting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import yastack.api.PluginConfigException;
import yastack.api.RouteDecision;
import yastack.api.testkit.TestRequest;
import yastack.scripting.internal.RouterImpl;

class RouterScriptTest {
    @TempDir
    Path dir;

    Scripts scripts;

    @BeforeEach
    void start() {
        scripts = new Scripts(dir);
    }

    @AfterEach
    void stop() throws Exception {
        scripts.close();
    }

    private static final String ROUTES = """
            import {clusterFor} from '../lib/clusters.js';
            export function route(req, ctx) {
              if (req.path.startsWith('/admin') && req.headers['X-Role'] !== 'admin') {
                ctx.counter('denied').inc();
                return {status: 403, body: 'no', headers: {'x-why': 'role'}};
              }
              if (req.path.startsWith('/admin')) return {cluster: 'admin'};
              if (req.cookies.beta === '1') return {cluster: 'beta', routeName: 'beta-cookie'};
              if (req.query.v === '2') return {cluster: 'v2'};
              if (req.path.startsWith('/api/')) {
                return {cluster: clusterFor(req.headers['x-tenant']), prefixRewrite: '/',
                        headers: {'x-routed-by': 'js', 'x-remove-me': null}, timeoutMs: 1500};
              }
              if (req.path === '/moved') return {status: 301, headers: {location: 'https://' + req.authority + '/new'}};
              return null;
            }
            """;

    private RouterImpl routes() throws Exception {
        Fixtures.write(dir, "lib/clusters.js", "export function clusterFor(t) { return t ? 'tenant-' + t.toLowerCase() : 'api'; }\n");
        Fixtures.write(dir, "routes/route.js", ROUTES);
        return scripts.router(Path.of("routes/route.js"));
    }

    @Test
    void routesByHeaderPathCookieAndQueryAcrossImportedModules() throws Exception {
        RouterImpl r = routes();
        assertEquals("route", r.name());

        TestRequest api = Fixtures.get("/api/users?id=7", "X-Tenant", "ACME", "x-remove-me", "1");
        var d = assertInstanceOf(RouteDecision.ToCluster.class, r.route(Fixtures.stream(), api));
        assertEquals("tenant-acme", d.cluster());
        assertEquals(Duration.ofMillis(1500), d.timeout());
        assertEquals("/users?id=7", api.uri(), "prefix /api/ rewritten to /, query kept");
        assertEquals("js", api.headers().get("X-Routed-By"));
        assertNull(api.headers().get("x-remove-me"));

        var beta = assertInstanceOf(RouteDecision.ToCluster.class,
                r.route(Fixtures.stream(), Fixtures.get("/api/x", "cookie", "a=b; beta=1")));
        assertEquals("beta", beta.cluster());
        assertEquals("beta-cookie", beta.routeName());

        var v2 = assertInstanceOf(RouteDecision.ToCluster.class, r.route(Fixtures.stream(), Fixtures.get("/x?v=2")));
        assertEquals("v2", v2.cluster());
    }

    @Test
    void localRepliesAndNoRoute() throws Exception {
        RouterImpl r = routes();
        var denied = assertInstanceOf(RouteDecision.Respond.class, r.route(Fixtures.stream(), Fixtures.get("/admin/x", "x-role", "guest")));
        assertEquals(403, denied.reply().status());
        assertEquals("no", denied.reply().body());
        assertEquals("role", denied.reply().header("X-Why"));
        assertEquals(1L, scripts.counter("script.route.denied"));

        var ok = assertInstanceOf(RouteDecision.ToCluster.class, r.route(Fixtures.stream(), Fixtures.get("/admin/x", "x-role", "admin")));
        assertEquals("admin", ok.cluster());

        var moved = assertInstanceOf(RouteDecision.Respond.class, r.route(Fixtures.stream(), Fixtures.get("/moved", "host", "example.com")));
        assertEquals(301, moved.reply().status());
        assertEquals("https://example.com/new", moved.reply().header("location"));

        assertEquals(RouteDecision.noRoute(), r.route(Fixtures.stream(), Fixtures.get("/nothing")));
    }

    @Test
    void requestExposesConnectionFacts() throws Exception {
        Fixtures.write(dir, "facts.js", """
                export function route(req) {
                  return {cluster: 'c', headers: {'x-facts': [req.method, req.listener, req.remoteAddress, req.localPort,
                      req.protocol, req.sni, req.header('HOST'), req.queryString].join('|')}};
                }
                """);
        RouterImpl r = scripts.router(dir.resolve("facts.js"));
        var stream = Fixtures.stream();
        stream.attributes().put("tls.sni", "api.example.com");
        TestRequest req = Fixtures.get("/p?a=1&b=2", "Host", "h.example");
        r.route(stream, req);
        assertEquals("GET|public|192.0.2.10|8080|HTTP/1.1|api.example.com|h.example|a=1&b=2", req.headers().get("x-facts"));
    }

    @Test
    void throwingOrMalformedResultsBecome500AndCount() throws Exception {
        Fixtures.write(dir, "bad.js", """
                export function route(req) {
                  if (req.path === '/throw') throw new Error('boom');
                  if (req.path === '/shape') return {clusterr: 'typo'};
                  if (req.path === '/type') return {cluster: 42};
                  return {cluster: 'ok'};
                }
                """);
        RouterImpl r = scripts.router(dir.resolve("bad.js"));
        for (String p : new String[] {"/throw", "/shape", "/type"}) {
            var d = assertInstanceOf(RouteDecision.Respond.class, r.route(Fixtures.stream(), Fixtures.get(p)), p);
            assertEquals(500, d.reply().status(), p);
        }
        assertEquals(3L, scripts.counter("script.bad.errors"));
        assertInstanceOf(RouteDecision.ToCluster.class, r.route(Fixtures.stream(), Fixtures.get("/")));
    }

    @Test
    void runawayScriptIsCutOffAndTheWorkerGoesOn() throws Exception {
        Fixtures.write(dir, "spin.js", """
                export function route(req) {
                  if (req.path === '/spin') { while (true) {} }
                  return {cluster: 'fine'};
                }
                """);
        RouterImpl r = scripts.router(dir.resolve("spin.js"));
        long t0 = System.nanoTime();
        var d = assertInstanceOf(RouteDecision.Respond.class, r.route(Fixtures.stream(), Fixtures.get("/spin")));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(500, d.reply().status());
        assertTrue(ms >= 150 && ms < 3000, "cut off after the 200 ms limit, took " + ms + " ms");
        assertEquals(1L, scripts.counter("script.spin.timeouts"));
        var after = assertInstanceOf(RouteDecision.ToCluster.class, r.route(Fixtures.stream(), Fixtures.get("/")));
        assertEquals("fine", after.cluster());
    }

    @Test
    void sandboxDeniesEvalHostClassesAndFilesOutsideTheTree() throws Exception {
        Fixtures.write(dir, "sb.js", """
                export function route(req) {
                  const probe = (f) => { try { f(); return 'open'; } catch (e) { return 'denied'; } };
                  return {cluster: 'c', headers: {
                    'x-eval': probe(() => eval('1+1')),
                    'x-function': probe(() => new Function('return 1')()),
                    'x-ctor': probe(() => (function(){}).constructor('return 1')()),
                    'x-java': probe(() => Java.type('java.lang.System').exit(1)),
                    'x-polyglot': probe(() => Polyglot.eval('js', '1')),
                  }};
                }
                """);
        RouterImpl r = scripts.router(dir.resolve("sb.js"));
        TestRequest req = Fixtures.get("/");
        r.route(Fixtures.stream(), req);
        for (String h : new String[] {"x-eval", "x-function", "x-ctor", "x-java", "x-polyglot"}) {
            assertEquals("denied", req.headers().get(h), h);
        }

        Path outside = dir.getParent().resolve(dir.getFileName() + "-outside.js");
        Fixtures.write(dir.getParent(), outside.getFileName().toString(), "export const x = 1;\n");
        Fixtures.write(dir, "escape.js", "import {x} from '../" + outside.getFileName() + "';\nexport function route() { return {cluster: 'c' + x}; }\n");
        PluginConfigException e = assertThrows(PluginConfigException.class, () -> scripts.router(dir.resolve("escape.js")));
        assertTrue(e.getMessage().contains("escape.js") || e.getMessage().contains("outside"), e.getMessage());
    }

    @Test
    void brokenScriptsFailToLoadWithFileAndLine() throws Exception {
        Fixtures.write(dir, "syntax.js", "export function route(req) {\n  return {cluster: };\n}\n");
        PluginConfigException e = assertThrows(PluginConfigException.class, () -> scripts.router(dir.resolve("syntax.js")));
        assertTrue(e.getMessage().startsWith("syntax.js:2"), e.getMessage());

        Fixtures.write(dir, "throws.js", "export function route() { return {cluster: 'a'}; }\n\nthrow new Error('at load');\n");
        e = assertThrows(PluginConfigException.class, () -> scripts.router(dir.resolve("throws.js")));
        assertTrue(e.getMessage().startsWith("throws.js:3"), e.getMessage());
        assertTrue(e.getMessage().contains("at load"), e.getMessage());

        Fixtures.write(dir, "noexport.js", "export function rout() {}\n");
        e = assertThrows(PluginConfigException.class, () -> scripts.router(dir.resolve("noexport.js")));
        assertTrue(e.getMessage().contains("route(req, ctx)"), e.getMessage());

        Fixtures.write(dir, "smoke.js", "export function route(req) { return req.nothing.here; }\n");
        e = assertThrows(PluginConfigException.class, () -> scripts.router(dir.resolve("smoke.js")));
        assertTrue(e.getMessage().startsWith("smoke.js:1"), e.getMessage());
    }
}
