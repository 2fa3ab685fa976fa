package yastack.server;

import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import yastack.config.ConfigLoader;
import yastack.proxy.fixtures.ProxyHarness;
import yastack.proxy.fixtures.TestUpstream;
import yastack.server.ProxyInstance;

/**
 * Config reload the way an operator does it: edit the file, then POST /reload (or let the
 * watcher see the change). A good file takes over routes and clusters, health checks
 * included; a bad one is refused with the field and line, and the running config stays.
 */
class ConfigReloadTest {
    @TempDir
    Path dir;

    private static String config(int listenerPort, int upstreamPort, String extra) {
        return """
                listeners:
                  - name: web
                    address: 127.0.0.1
                    port: %d
                    http:
                      route_config:
                        virtual_hosts: [{name: all, domains: ["*"], routes: [{match: {prefix: "/"}, route: {cluster: c}}]}]
                clusters:
                  - name: c
                    health_check: {path: /status/200, interval: 100ms}
                    endpoints: [{address: 127.0.0.1, port: %d}]
                %s""".formatted(listenerPort, upstreamPort, extra);
    }

    @Test
    void goodConfigsTakeOverAndBadOnesAreRefusedWithFieldAndLine() throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        int port = ProxyHarness.freePort();
        Path file = dir.resolve("yastack.yaml");
        try (TestUpstream one = new TestUpstream("one"); TestUpstream two = new TestUpstream("two")) {
            Files.writeString(file, config(port, one.port(), ""));
            try (ProxyInstance proxy = ProxyInstance.start(ConfigLoader.load(file), 1, 0, true)) {
                URI front = URI.create("http://127.0.0.1:" + port + "/x");
                URI reload = URI.create("http://127.0.0.1:" + proxy.adminPort() + "/reload");
                assertTrue(get(client, front).contains("upstream=one"));

                Files.writeString(file, config(port, two.port(), ""));
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(reload).POST(HttpRequest.BodyPublishers.noBody()).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode(), r.body());
                assertTrue(get(client, front).contains("upstream=two"));
                // The new cluster's endpoints are checked by a new checker, not left failed.
                String clusters = "";
                for (int i = 0; i < 100 && !clusters.contains("\"healthy\""); i++) {
                    Thread.sleep(50);
                    clusters = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.adminPort() + "/clusters")).build(),
                            HttpResponse.BodyHandlers.ofString()).body();
                }
                assertTrue(clusters.contains("\"healthy\"") && clusters.contains(Integer.toString(two.port())), clusters);

                // A typo: refused with the field and its line; the running config keeps serving.
                Files.writeString(file, config(port, one.port(), "extra_field: 1\n").replace("    endpoints:", "    endpoints_:"));
                r = client.send(HttpRequest.newBuilder(reload).POST(HttpRequest.BodyPublishers.noBody()).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(400, r.statusCode(), r.body());
                assertTrue(r.body().contains("keeping the running config") && r.body().contains("endpoints_")
                        && r.body().contains("line 11"), r.body());
                assertTrue(get(client, front).contains("upstream=two"));

                // The watcher picks up the next good file without a POST. (Its content differs from
                // the first file's: a watcher that coalesced every edit compares against that.)
                Files.writeString(file, config(port, one.port(), "# edited\n"));
                String body = "";
                for (int i = 0; i < 100 && !body.contains("upstream=one"); i++) {
                    Thread.sleep(100);
                    body = get(client, front);
                }
                assertTrue(body.contains("upstream=one"), body);
            }
        }
    }

    /** Listeners by name and port, each answering its own name. */
    private static String listeners(String... nameAndPort) {
        StringBuilder sb = new StringBuilder("listeners:\n");
        for (int i = 0; i < nameAndPort.length; i += 2) {
            sb.append("""
                      - name: %s
                        address: 127.0.0.1
                        port: %s
                        http:
                          route_config:
                            virtual_hosts: [{name: all, domains: ["*"], routes: [{match: {prefix: "/"}, direct_response: {status: 200, body: "%s"}}]}]
                    """.formatted(nameAndPort[i], nameAndPort[i + 1], nameAndPort[i]));
        }
        return sb.toString();
    }

    @Test
    void aReloadSaysWhichChangesWaitForARestart() throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        int port = ProxyHarness.freePort();
        Path file = dir.resolve("yastack.yaml");
        List<String> warnings = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override public void publish(LogRecord r) {
                if (r.getLevel() == Level.WARNING) warnings.add(r.getMessage());
            }
            @Override public void flush() {}
            @Override public void close() {}
        };
        Logger yastack = Logger.getLogger("yastack");
        try (TestUpstream one = new TestUpstream("one")) {
            Files.writeString(file, config(port, one.port(), "workers: 1\n"));
            try (ProxyInstance proxy = ProxyInstance.start(ConfigLoader.load(file), 1, 0, false)) {
                yastack.addHandler(capture);
                Files.writeString(file, config(port, one.port(), "workers: 2\nhost_transport: epoll\n"));
                HttpResponse<String> r = post(client, URI.create("http://127.0.0.1:" + proxy.adminPort() + "/reload"));
                assertEquals(200, r.statusCode(), r.body());
                assertTrue(warnings.contains("config reload: workers, host_transport changed; the running process keeps what it "
                        + "started with until it is restarted"), warnings.toString());
            } finally {
                yastack.removeHandler(capture);
            }
        }
    }

    @Test
    void listenersComeGoAndMoveWithTheFile() throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        int a = ProxyHarness.freePort(), b = ProxyHarness.freePort(), c = ProxyHarness.freePort();
        Path file = dir.resolve("yastack.yaml");
        Files.writeString(file, listeners("first", Integer.toString(a)));
        try (ProxyInstance proxy = ProxyInstance.start(ConfigLoader.load(file), 1, 0, false)) {
            URI reload = URI.create("http://127.0.0.1:" + proxy.adminPort() + "/reload");
            assertEquals("first", get(client, URI.create("http://127.0.0.1:" + a + "/")));

            // A new listener binds.
            Files.writeString(file, listeners("first", Integer.toString(a), "second", Integer.toString(b)));
            assertEquals(200, post(client, reload).statusCode());
            assertEquals("second", get(client, URI.create("http://127.0.0.1:" + b + "/")));
            assertEquals("first", get(client, URI.create("http://127.0.0.1:" + a + "/")));

            // "first" moves to another port and "second" goes away.
            Files.writeString(file, listeners("first", Integer.toString(c)));
            assertEquals(200, post(client, reload).statusCode());
            assertEquals("first", get(client, URI.create("http://127.0.0.1:" + c + "/")));
            for (int port : new int[] {a, b}) {
                assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", port).close(),
                        "nothing listens on " + port + " any more");
            }

            // A port some other process holds: the reload is refused and nothing changes.
            try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                Files.writeString(file, listeners("first", Integer.toString(c), "third", Integer.toString(busy.getLocalPort())));
                HttpResponse<String> r = post(client, reload);
                assertEquals(400, r.statusCode(), r.body());
                assertTrue(r.body().contains("listener third: cannot bind"), r.body());
                assertEquals("first", get(client, URI.create("http://127.0.0.1:" + c + "/")));
            }
        }
    }

    private static HttpResponse<String> post(HttpClient client, URI uri) throws Exception {
        return client.send(HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String get(HttpClient client, URI uri) throws Exception {
        return client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }
}
