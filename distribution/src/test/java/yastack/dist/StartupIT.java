package yastack.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import yastack.kernel.fixtures.Needs;

/**
 * How bin/yastack starts: with the AOT cache the build trained (lib/yastack.aot) when the config
 * runs no script, with the Graal compiler when it does, and never with a cache that belongs to
 * another directory or JDK.
 */
class StartupIT {
    @TempDir
    Path dir;

    private Path config(boolean withScript) throws Exception {
        int admin = Dist.freePort();
        Path script = Files.writeString(dir.resolve("filter.js"), "export function onRequest(req, ctx) {}\n");
        String filters = withScript ? "filters: [{script: " + script + "}]" : "";
        return Files.writeString(dir.resolve("c.yaml"), """
                admin: {address: 127.0.0.1, port: %d}
                listeners:
                  - name: web
                    address: 127.0.0.1
                    port: %d
                    http:
                      %s
                      route_config:
                        virtual_hosts:
                          - name: all
                            domains: ["*"]
                            routes:
                              - match: {prefix: "/"}
                                direct_response: {status: 200, body: ok}
                """.formatted(admin, Dist.freePort(), filters));
    }

    private static int adminPort(Path config) throws Exception {
        String s = Files.readString(config);
        int i = s.indexOf("port: ") + 6;
        return Integer.parseInt(s.substring(i, s.indexOf('}', i)));
    }

    /** Starts, waits for /ready and stops; returns the process output. */
    private String startAndStop(Path config) throws Exception {
        return startAndStop(config, "-Xlog:aot=info");
    }

    private String startAndStop(Path config, String javaOpts) throws Exception {
        Path log = dir.resolve("run.log");
        Process p = Dist.startRun(config, log, List.of("YASTACK_JAVA_OPTS=" + javaOpts));
        try {
            Dist.awaitReady(adminPort(config), p, log);
        } finally {
            Dist.stop(p);
        }
        return Files.readString(log);
    }

    @Test
    void theBuildTrainsACacheThatAScriptlessConfigStartsWith() throws Exception {
        assertTrue(Files.size(Dist.HOME.resolve("lib/yastack.aot")) > 1 << 20, "the build trains lib/yastack.aot");
        assertTrue(Files.size(Dist.HOME.resolve("lib/yastack-js.aot")) > 1 << 20, "and lib/yastack-js.aot");
        String out = startAndStop(config(false));
        assertTrue(out.contains("Opened AOT cache"), out);
        assertFalse(out.contains("[error][aot]"), out);
    }

    @Test
    void nettysNativeTransportLoadsFromTheDistributionNotFromACopyInTmp() throws Exception {
        Path config = config(false);
        Path log = dir.resolve("native.log");
        Path tmp = Files.createDirectory(dir.resolve("tmp"));
        // bin/yastack execs the JVM, so the launcher's pid is the JVM's.
        Process p = Dist.startRun(config, log, List.of("YASTACK_JAVA_OPTS=-Djava.io.tmpdir=" + tmp));
        try {
            Dist.awaitReady(adminPort(config), p, log);
            String maps = Files.readString(Path.of("/proc/" + p.pid() + "/maps"));
            assertTrue(maps.contains(Dist.HOME.resolve("native/libnetty_transport_native_io_uring42_x86_64.so").toString()),
                    "the io_uring transport is mapped from native/");
            assertFalse(maps.contains(tmp.toString()), "nothing was extracted to java.io.tmpdir");
        } finally {
            Dist.stop(p);
        }
    }

    @Test
    void withoutNativeTransportsAutoFallsBackToNioAndANamedOneRefusesToStart() throws Exception {
        String noNative = "YASTACK_JAVA_OPTS=-Dio.netty.transport.noNative=true";
        String out = startAndStop(config(false), "-Dio.netty.transport.noNative=true");
        assertTrue(out.contains("using NIO"), out);
        assertTrue(out.contains("(1 workers, nio)") || out.contains("workers, nio)"), out);

        Path named = Files.writeString(dir.resolve("uring.yaml"), "host_transport: io_uring\n" + Files.readString(config(false)));
        Dist.Result r = Dist.run(List.of(noNative), "run", "--config", named.toString());
        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue((r.out() + r.err()).contains("host_transport: io_uring is not available here"), r.out() + r.err());
    }

    @Test
    void whereTheKernelRefusesIoUringAutoRunsOnEpollAndSaysWhy() throws Exception {
        // As a container runtime's seccomp profile does; the sysctl (Linux 6.6+) needs root, which CI has.
        Path sysctl = Path.of("/proc/sys/kernel/io_uring_disabled");
        assumeTrue(Files.isWritable(sysctl), "needs root and Linux 6.6+ to switch io_uring off (" + sysctl + ")");
        String before = Files.readString(sysctl).trim();
        String out;
        try {
            Files.writeString(sysctl, "2");
            out = startAndStop(config(false), "");
        } finally {
            Files.writeString(sysctl, before);
        }
        assertTrue(out.contains("io_uring unavailable"), out);
        assertTrue(out.contains("host sockets use epoll"), out);
        assertTrue(out.contains("workers, epoll)"), out);
    }

    /** The value -XX:+PrintFlagsFinal printed for {@code flag}. */
    private static String flag(String out, String flag) {
        Matcher m = Pattern.compile("\\s" + flag + "\\s+=\\s+(\\S+)").matcher(out);
        assertTrue(m.find(), flag + " in " + out.lines().limit(5).toList());
        return m.group(1);
    }

    @Test
    void theLauncherSetsItsGcDefaultsAndYastackJavaOptsOverridesThem() throws Exception {
        String defaults = startAndStop(config(false), "-XX:+PrintFlagsFinal");
        assertEquals("true", flag(defaults, "UseParallelGC"));
        assertEquals("false", flag(defaults, "UseAdaptiveSizePolicy"), "eden is not resized under load");
        assertEquals(String.valueOf(24 << 20), flag(defaults, "MaxNewSize"));
        assertEquals("2", flag(defaults, "SurvivorRatio"), "survivors big enough for HTTP/2's streams in flight");
        assertEquals("1000", flag(defaults, "TrimNativeHeapInterval"), "what the JIT frees goes back to the system");

        String youngOverridden = startAndStop(config(false), "-Xmn32m -XX:+PrintFlagsFinal");
        assertEquals(String.valueOf(32 << 20), flag(youngOverridden, "MaxNewSize"), "the user's option comes last and wins");

        String otherGc = startAndStop(config(false), "-XX:+UseSerialGC -XX:+PrintFlagsFinal");
        assertEquals("true", flag(otherGc, "UseSerialGC"));
        assertEquals("false", flag(otherGc, "UseParallelGC"), "naming a collector drops the default one, which would refuse to start beside it");
    }

    @Test
    void aConfigWithAScriptStartsWithTheCompilerInstead() throws Exception {
        String out = startAndStop(config(true));
        assertFalse(out.contains("Opened AOT cache"), out);
        assertTrue(out.contains("javascript: GraalJS"), out);
        assertFalse(out.contains("[error]"), out);
    }

    @Test
    void aScriptlessStartLeavesJavaScriptOutAndAReloadThatAddsAScriptIsRefusedSayingHow() throws Exception {
        try (var js = Files.list(Dist.HOME.resolve("lib/js"))) {
            assertTrue(js.anyMatch(j -> j.getFileName().toString().startsWith("js-language-")), "GraalJS ships in lib/js");
        }
        try (var lib = Files.list(Dist.HOME.resolve("lib"))) {
            assertFalse(lib.anyMatch(j -> j.getFileName().toString().matches("(js-language|truffle-api|polyglot|yastack-scripting)-.*")),
                    "and not in lib/, which is always on the module path");
        }
        Path config = config(false);
        Path log = dir.resolve("reload.log");
        Process p = Dist.startRun(config, log, List.of());
        try {
            Dist.awaitReady(adminPort(config), p, log);
            String cmdline = Files.readString(Path.of("/proc/" + p.pid() + "/cmdline")).replace('\0', ' ');
            assertFalse(cmdline.contains("lib/js"), cmdline);
            Files.writeString(config, Files.readString(config).replace("      route_config:",
                    "      filters: [{script: " + dir.resolve("filter.js") + "}]\n      route_config:"));
            try (var client = HttpClient.newHttpClient()) {
                var r = client.send(HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + adminPort(config) + "/reload"))
                        .POST(HttpRequest.BodyPublishers.noBody()).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(400, r.statusCode(), r.body());
                assertTrue(r.body().contains("no script runtime in this process") && r.body().contains("YASTACK_JS"), r.body());
                var ready = client.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + adminPort(config) + "/ready")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, ready.statusCode(), "the old config keeps serving");
            }
        } finally {
            Dist.stop(p);
        }
        // Asked for, JavaScript is there without a script in the config, interpreted, with the
        // cache trained on that module path (as a control plane's start, which may get scripts).
        Path forced = dir.resolve("forced.log");
        Process q = Dist.startRun(config(false), forced, List.of("YASTACK_JS=interpreted", "YASTACK_JAVA_OPTS=-Xlog:aot=info"));
        try {
            Dist.awaitReady(adminPort(dir.resolve("c.yaml")), q, forced);
            String cmdline = Files.readString(Path.of("/proc/" + q.pid() + "/cmdline")).replace('\0', ' ');
            assertTrue(cmdline.contains("lib/js") && cmdline.contains("lib/yastack-js.aot"), cmdline);
        } finally {
            Dist.stop(q);
        }
        String forcedOut = Files.readString(forced);
        assertTrue(forcedOut.contains("Opened AOT cache"), forcedOut);
        assertFalse(forcedOut.contains("[error]"), forcedOut);
    }

    /** The config of {@link #config(boolean)} with a second listener terminating TLS (openssl's EC P-256 pair) and offering h2. */
    private Path tlsConfig() throws Exception {
        Needs.commands("the TLS start-up tests (a certificate to serve)", "openssl");
        Path plain = config(false);
        var openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                "-nodes", "-days", "2", "-subj", "/CN=localhost", "-keyout", "k.pem", "-out", "c.pem")
                .directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(openssl.getInputStream().readAllBytes());
        assertEquals(0, openssl.waitFor(), out);
        return Files.writeString(plain, Files.readString(plain) + """
                  - name: secure
                    address: 127.0.0.1
                    port: %d
                    tls: {certificates: [{cert: %s, key: %s}], alpn: [h2, http/1.1]}
                    http:
                      route_config:
                        virtual_hosts: [{name: all, domains: ["*"], routes: [{match: {prefix: "/"}, direct_response: {status: 200, body: ok}}]}]
                """.formatted(Dist.freePort(), dir.resolve("c.pem"), dir.resolve("k.pem")));
    }

    @Test
    void aTlsListenerStartsWithoutBouncyCastleOrTheSystemCaStore() throws Exception {
        // Without the cache classes load as they are first used, so the log shows what the start ran.
        Path log = dir.resolve("tls.log");
        Path config = tlsConfig();
        Process p = Dist.startRun(config, log, List.of("YASTACK_AOT=0", "YASTACK_JAVA_OPTS=-Xlog:class+load=info"));
        try {
            Dist.awaitReady(adminPort(config), p, log);
        } finally {
            Dist.stop(p);
        }
        String out = Files.readString(log);
        assertTrue(out.contains("io.netty.handler.ssl.ReferenceCountedOpenSslServerContext "), "the TLS listener's context was built");
        // Bouncy Castle is for OCSP staples only: its provider's set-up cost a one-core start ~0.3 s (the
        // JDK's provider walk and Netty's key reading each ran it), and its jar is signed, so its classes
        // are never in the AOT cache and each is checked against the signature as it loads.
        assertTrue(out.lines().noneMatch(l -> l.contains("org.bouncycastle.")),
                out.lines().filter(l -> l.contains("org.bouncycastle.")).limit(5).toList().toString());
        // A listener asking for no client certificates reads no CA store (the JDK's has ~140 to parse).
        assertFalse(out.contains("sun.security.ssl.TrustStoreManager "), "the system CA store was loaded");
    }

    @Test
    void aCacheTrainedElsewhereIsLeftAlone() throws Exception {
        Path key = Dist.HOME.resolve("lib/yastack.aot.key");
        String trained = Files.readString(key);
        try {
            // What a moved directory looks like to the launcher: the key names another place.
            Files.writeString(key, trained.replace(Dist.HOME.toString(), "/elsewhere"));
            String out = startAndStop(config(false));
            assertFalse(out.contains("Opened AOT cache"), out);
            assertFalse(out.contains("[error][aot]"), out);
        } finally {
            Files.writeString(key, trained);
        }
        assertEquals(trained, Files.readString(key));
    }

    @Test
    void aJarChangedSinceTrainingMakesTheLauncherStartWithoutTheCache() throws Exception {
        // The JVM refuses to start with a cache whose jars changed; the launcher must not offer it.
        Path jar = Dist.HOME.resolve("lib/yastack-api-0.1.0-SNAPSHOT.jar");
        FileTime trained = Files.getLastModifiedTime(jar);
        try {
            Files.setLastModifiedTime(jar, FileTime.fromMillis(trained.toMillis() + 60_000));
            String out = startAndStop(config(false));
            assertFalse(out.contains("Opened AOT cache"), out);
            assertFalse(out.contains("[error]"), out);
        } finally {
            Files.setLastModifiedTime(jar, trained);
        }
    }
}
