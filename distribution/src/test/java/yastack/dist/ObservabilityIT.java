package yastack.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Span;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import yastack.kernel.fixtures.Needs;
import yastack.kernel.fixtures.Shell;
import yastack.proxy.fixtures.TestUpstream;

/**
 * What an operator watches, on the built distribution: traces exported from the module path
 * with a script's span attribute, access logs in two formats rotated with SIGUSR1, the Grafana
 * dashboard's every query answered by a real Prometheus scraping the admin port, and the
 * admin live page rendered by headless Chromium (its DOM and, through OCR, its screenshot).
 */
class ObservabilityIT {
    static TestUpstream up;
    static OtlpCollector collector;
    static Process proxy;
    static Path dir;
    static Path log;
    static int port;
    static int adminPort;
    static int deadPort;
    static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception {
        up = new TestUpstream("up");
        collector = new OtlpCollector();
        dir = Files.createTempDirectory("yastack-observability");
        port = Dist.freePort();
        adminPort = Dist.freePort();
        deadPort = Dist.freePort();
        Files.writeString(dir.resolve("tag.js"), """
                export function onRequest(req, ctx) {
                  ctx.span.setAttribute('script.user', req.headers['x-user'] ?? 'anonymous');
                }
                """);
        Path cfg = dir.resolve("yastack.yaml");
        Files.writeString(cfg, """
                admin: {address: 127.0.0.1, port: %2$d}
                workers: 2
                listeners:
                  - name: edge
                    address: 127.0.0.1
                    port: %1$d
                    http:
                      tracing: {endpoint: %5$s, service_name: edge-it}
                      filters: [{script: tag.js}]
                      access_log:
                        - {path: %6$s/access.log, format: '%%REQ(:METHOD)%% %%REQ(:PATH)%% %%RESPONSE_CODE%% %%TRACE_ID%%'}
                        - path: %6$s/errors.json
                          log_format: {json_format: {code: "%%RESPONSE_CODE%%", path: "%%REQ(:PATH)%%"}}
                          filter: {status_code_filter: {op: ge, value: 500}}
                      route_config:
                        virtual_hosts:
                          - name: main
                            domains: ["*"]
                            routes:
                              - {name: api, match: {prefix: "/"}, route: {cluster: api, retry_policy: {retry_on: 5xx}}}
                clusters:
                  - name: api
                    health_check: {path: /healthz, interval: 1s, healthy_threshold: 1}
                    endpoints: [{address: 127.0.0.1, port: %3$d}, {address: 127.0.0.1, port: %4$d}]
                """.formatted(port, adminPort, up.port(), deadPort, collector.endpoint(), dir));
        log = dir.resolve("yastack.log");
        proxy = Dist.startRun(cfg, log, List.of());
        Dist.awaitReady(adminPort, proxy, log);
        awaitHealthy();
    }

    private static void awaitHealthy() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline) {
            JsonArray eps = new JsonArray(admin("/clusters")).getJsonObject(0).getJsonArray("endpoints");
            if (eps.getJsonObject(0).getString("health").equals("healthy")
                    && eps.getJsonObject(1).getString("health").equals("failed_active_hc")) return;
            Thread.sleep(100);
        }
        throw new AssertionError("endpoints did not settle: " + admin("/clusters"));
    }

    @AfterAll
    static void stop() throws Exception {
        Dist.stop(proxy);
        collector.close();
        up.close();
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }

    static HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10));
        for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String admin(String path) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + path)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    static List<String> await(Path file, int lines) throws Exception {
        List<String> got = List.of();
        for (int i = 0; i < 100 && got.size() < lines; i++) {
            Thread.sleep(50);
            got = Files.exists(file) ? Files.readAllLines(file) : List.of();
        }
        return got;
    }

    @Test
    void serverInfoNamesTheVersionTheCliPrints() throws Exception {
        String cli = Dist.run("version").out().lines().findFirst().orElseThrow(); // "yastack 0.1.0-SNAPSHOT"
        String version = cli.substring("yastack ".length());
        assertNotEquals("dev", version, cli);
        String info = admin("/server_info");
        assertTrue(info.matches("(?s).*\"version\"\\s*:\\s*\"" + java.util.regex.Pattern.quote(version) + "\".*"), info);
    }

    @Test
    void tracesLeaveThroughTheModulePathWithTheScriptsAttribute() throws Exception {
        Dist.Result version = Dist.run("version");
        assertTrue(version.out().contains("tracing: opentelemetry (OTLP/HTTP protobuf, SDK 1.68.0)"), version.out());

        HttpResponse<String> r = get("/traced", "x-user", "alice");
        assertEquals(200, r.statusCode());
        String traceparent = r.body().lines().filter(l -> l.startsWith("h:traceparent=")).findFirst().orElseThrow().substring(14);
        List<Span> spans = collector.trace(traceparent.split("-")[1], 2);
        assertEquals(2, spans.size(), spans::toString);
        Span server = spans.stream().filter(s -> s.getKind() == Span.SpanKind.SPAN_KIND_SERVER).findFirst().orElseThrow();
        assertEquals(traceparent.split("-")[1], HexFormat.of().formatHex(server.getTraceId().toByteArray()));
        String user = null;
        for (KeyValue kv : server.getAttributesList()) if (kv.getKey().equals("script.user")) user = kv.getValue().getStringValue();
        assertEquals("alice", user, "the JavaScript filter's ctx.span attribute");
    }

    @Test
    void accessLogsInTwoFormatsRotateOnSigusr1() throws Exception {
        Path access = dir.resolve("access.log");
        get("/one");
        assertEquals(503, get("/status/503").statusCode());
        List<String> lines = await(access, 2);
        assertTrue(lines.stream().anyMatch(l -> l.matches("GET /one 200 [0-9a-f]{32}")), lines.toString());
        List<String> errors = await(dir.resolve("errors.json"), 1);
        assertTrue(errors.contains("{\"code\":503,\"path\":\"/status/503\"}"), errors.toString());

        // logrotate: rename, then kill -USR1; the next line goes to a new access.log.
        Files.move(access, dir.resolve("access.log.1"));
        Shell.must("kill", "-USR1", Long.toString(proxy.pid()));
        Thread.sleep(200);
        get("/after-rotation");
        List<String> fresh = await(access, 1);
        assertEquals(1, fresh.size(), fresh.toString());
        assertTrue(fresh.getFirst().startsWith("GET /after-rotation 200 "), fresh.getFirst());
        assertFalse(Files.readString(dir.resolve("access.log.1")).contains("/after-rotation"));
        assertTrue(Files.readString(log).contains("SIGUSR1: reopening access logs"));
    }

    @Test
    void everyDashboardQueryIsAnsweredByPrometheus() throws Exception {
        Needs.commands("The Grafana dashboard test (a real Prometheus scrapes the admin port)", "prometheus");
        JsonObject dashboard = new JsonObject(Files.readString(Path.of(System.getProperty("yastack.repo", ".."))
                .resolve("deploy/grafana/yastack-dashboard.json")));
        List<String> queries = new ArrayList<>();
        for (Object p : dashboard.getJsonArray("panels")) {
            JsonArray targets = ((JsonObject) p).getJsonArray("targets");
            if (targets != null) for (Object t : targets) queries.add(((JsonObject) t).getString("expr"));
        }
        assertTrue(queries.size() >= 15, "panels with queries: " + queries.size());

        int promPort = Dist.freePort();
        Path prom = dir.resolve("prometheus");
        Files.createDirectories(prom);
        Files.writeString(prom.resolve("prometheus.yml"), """
                global: {scrape_interval: 1s, evaluation_interval: 1s}
                scrape_configs:
                  - job_name: yastack
                    metrics_path: /stats/prometheus
                    static_configs: [{targets: ["127.0.0.1:%d"]}]
                """.formatted(adminPort));
        Process p = new ProcessBuilder("prometheus", "--config.file=" + prom.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + prom.resolve("data"), "--web.listen-address=127.0.0.1:" + promPort, "--log.level=warn")
                .redirectErrorStream(true).redirectOutput(prom.resolve("prometheus.log").toFile()).start();
        try {
            String api = "http://127.0.0.1:" + promPort + "/api/v1/";
            // Traffic while Prometheus starts and takes a few scrapes: some of it fails, so 5xx series exist.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            long scraping = 0;
            while (System.nanoTime() < deadline && (scraping == 0 || System.nanoTime() - scraping < TimeUnit.SECONDS.toNanos(4))) {
                get("/ok");
                get("/status/503");
                Thread.sleep(100);
                if (scraping == 0 && scrapedUp(api)) scraping = System.nanoTime();
            }
            assertTrue(scraping != 0, "Prometheus never scraped /stats/prometheus as up: " + http(api + "targets") + "\n"
                    + Files.readString(prom.resolve("prometheus.log")));
            for (String q : queries) {
                String expr = q.replace("$__rate_interval", "1m").replace("$listener", ".*").replace("$cluster", ".*");
                JsonObject answer = new JsonObject(http(api + "query?query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8)));
                assertEquals("success", answer.getString("status"), expr + " -> " + answer);
                assertFalse(answer.getJsonObject("data").getJsonArray("result").isEmpty(), "no data for " + expr);
            }
            JsonObject listeners = new JsonObject(http(api + "label/envoy_http_conn_manager_prefix/values"));
            assertTrue(listeners.getJsonArray("data").contains("edge"), listeners.toString());
        } finally {
            p.destroy();
            if (!p.waitFor(10, TimeUnit.SECONDS)) p.destroyForcibly();
        }
    }

    /** Whether Prometheus has scraped the admin port and parsed what it got. */
    private static boolean scrapedUp(String api) {
        try {
            JsonArray active = new JsonObject(http(api + "targets")).getJsonObject("data").getJsonArray("activeTargets");
            return !active.isEmpty() && active.getJsonObject(0).getString("health").equals("up");
        } catch (Exception e) {
            return false; // not listening yet
        }
    }

    private static String http(String url) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void theLivePageShowsListenersClustersAndHealthInChromium() throws Exception {
        Needs.commands("The admin page test (headless Chromium renders it, OCR reads the screenshot)", "chromium", "tesseract");
        for (int i = 0; i < 5; i++) get("/page");
        String url = "http://127.0.0.1:" + adminPort + "/";
        Path profile = Files.createDirectories(dir.resolve("chromium-profile"));
        List<String> chromium = List.of("chromium", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                "--user-data-dir=" + profile, "--virtual-time-budget=5000");

        // The DOM after the page's scripts fetched the admin API.
        List<String> dump = new ArrayList<>(chromium);
        dump.addAll(List.of("--dump-dom", url));
        Shell.Result dom = chromium(dump);
        assertEquals(0, dom.exit(), dom.output());
        String html = dom.output();
        assertTrue(html.contains("<td>edge</td>"), "the listener row: " + html);
        assertTrue(html.contains("127.0.0.1:" + up.port() + "</td><td><span class=\"badge healthy\">healthy</span>"), html);
        assertTrue(html.contains("127.0.0.1:" + deadPort + "</td><td><span class=\"badge failed_active_hc\">failed_active_hc</span>"), html);
        assertTrue(html.contains("LIVE · version "), html);
        assertTrue(html.contains("http.edge.downstream_rq_total"), "the stats table: " + html);
        assertTrue(html.contains("vhost.main.route.api.upstream_rq_time"), "the latency table: " + html);

        // What a person sees: the screenshot, read back with OCR.
        Path shot = dir.resolve("admin.png");
        List<String> screenshot = new ArrayList<>(chromium);
        screenshot.addAll(List.of("--window-size=1400,1000", "--force-device-scale-factor=2", "--screenshot=" + shot, url));
        Shell.Result s = chromium(screenshot);
        assertEquals(0, s.exit(), s.output());
        Shell.Result ocr = Shell.run(60, "tesseract", shot.toString(), "-");
        assertEquals(0, ocr.exit(), ocr.output());
        String text = ocr.output().toLowerCase(Locale.ROOT);
        for (String word : List.of("yastack", "listeners", "clusters", "edge", "latency")) {
            assertTrue(text.contains(word), "'" + word + "' on the screenshot; OCR read:\n" + text);
        }
        // Each endpoint's row shows its health beside its address.
        assertTrue(lineWith(text, "127.0.0.1:" + up.port()).contains("healthy"), "OCR read:\n" + text);
        assertTrue(lineWith(text, "127.0.0.1:" + deadPort).contains("failed"), "OCR read:\n" + text);
    }

    /**
     * Runs headless Chromium, a second time if it hangs: on a loaded machine it now and then
     * never leaves its virtual-time budget (seen once in a full run, with the page served).
     */
    private static Shell.Result chromium(List<String> command) {
        Shell.Result r = Shell.run(60, command.toArray(String[]::new));
        if (r.exit() != -1) return r;
        System.err.println("chromium hung, once more: " + r.output());
        return Shell.run(60, command.toArray(String[]::new));
    }

    private static String lineWith(String text, String part) {
        return text.lines().filter(l -> l.contains(part)).findFirst().orElse("");
    }
}
