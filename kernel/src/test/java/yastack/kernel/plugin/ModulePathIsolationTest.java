package yastack.kernel.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@code yastack plugins} in a JVM where yastack.api and yastack.kernel are
 * real named modules of the boot layer (the production setup, unlike the
 * class-path unit tests), with plugins built here that try to reach the kernel.
 */
class ModulePathIsolationTest {
    @TempDir
    Path tmp;

    /** The kernel's runtime class path (its classes and dependencies), to be used as a module path. */
    private static List<String> runtimeModulePath() {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> out = new ArrayList<>();
        for (String e : cp.split(File.pathSeparator)) {
            String n = e.replace('\\', '/');
            if (n.isEmpty() || n.endsWith("/test-classes") || n.contains("/org/junit/") || n.contains("/org/opentest4j/")
                    || n.contains("/org/apiguardian/") || n.contains("/surefire/")) {
                continue;
            }
            out.add(e);
        }
        return out;
    }

    private static final String PROBE = """
            package probe;
            import yastack.api.*;
            public final class %s implements HttpFilterFactory {
                public %s() {
                    String own;
                    try {
                        Class<?> c = Class.forName("yastack.kernel.plugin.PluginStatsRegistry", true, getClass().getClassLoader());
                        c.getConstructor().newInstance();
                        own = "usable";
                    } catch (ReflectiveOperationException | RuntimeException e) {
                        own = e.getClass().getSimpleName();
                    }
                    String viaKernelLoader;
                    try {
                        Module kernel = ModuleLayer.boot().findModule("yastack.kernel").orElseThrow();
                        Class<?> c = Class.forName(kernel, "yastack.kernel.plugin.PluginStatsRegistry");
                        c.getConstructor().newInstance();
                        viaKernelLoader = "usable";
                    } catch (ReflectiveOperationException | RuntimeException e) {
                        viaKernelLoader = e.getClass().getSimpleName();
                    }
                    %s
                    throw new IllegalStateException("PROBE own-loader=" + own + " kernel-loader=" + viaKernelLoader + " direct=" + direct);
                }
                public String name() { return "probe-%s"; }
                public ConfiguredHttpFilter create(PluginConfig c, PluginContext ctx) { return s -> new HttpFilter() {}; }
            }
            """;

    private static String probe(String cls, boolean direct) {
        String directCode = direct
                ? "String direct; try { new yastack.kernel.plugin.PluginStatsRegistry(); direct = \"usable\"; } "
                        + "catch (LinkageError e) { direct = e.getClass().getSimpleName(); }"
                : "String direct = \"-\";";
        return PROBE.formatted(cls, cls, directCode, cls.toLowerCase());
    }

    @Test
    void pluginsCannotUseKernelClassesOnTheModulePath() throws Exception {
        TestJars.workRoot = Files.createDirectories(tmp.resolve("build"));
        Path dir = Files.createDirectories(tmp.resolve("plugins"));
        TestJars.build(dir.resolve("modular-probe.jar"), Map.of(
                "module-info.java", "module probe { requires yastack.api; provides yastack.api.HttpFilterFactory with probe.Modular; }\n",
                "probe/Modular.java", probe("Modular", false)), Map.of(), TestJars.apiModulePath(), "1.0");
        // A plain jar becomes an automatic module, which reads every module (the kernel too):
        // compiled against the kernel, it still must not be able to use it.
        List<Path> withKernel = new ArrayList<>(TestJars.apiModulePath());
        withKernel.add(TestJars.locationOf(PluginLoader.class));
        TestJars.build(dir.resolve("plain-probe.jar"), Map.of("probe/Plain.java", probe("Plain", true)),
                Map.of("META-INF/services/yastack.api.HttpFilterFactory", "probe.Plain\n"), withKernel, null);
        TestJars.build(dir.resolve("good.jar"), PluginSources.namedFilter("test.good", "good"), Map.of(), TestJars.apiModulePath(), "2.1");

        List<String> mp = runtimeModulePath();
        assertTrue(mp.stream().anyMatch(e -> Files.isRegularFile(Path.of(e, "module-info.class"))),
                "the kernel's classes must be on the runtime path: " + mp);
        List<String> cmd = new ArrayList<>(Arrays.asList(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-p", String.join(File.pathSeparator, mp), "--add-modules", "ALL-MODULE-PATH",
                "-m", "yastack.kernel/yastack.kernel.cli.Main", "plugins", "--plugins", dir.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        boolean done = p.waitFor(60, TimeUnit.SECONDS);
        if (!done) p.destroyForcibly();
        assertTrue(done, "yastack plugins did not finish in 60 s");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(1, p.exitValue(), out);

        assertTrue(out.lines().anyMatch(l -> l.matches("good\\s+filter\\s+test\\.good\\s+2\\.1\\s+.*good\\.jar")), out);
        // The kernel's classes may be found by name, but no plugin can use them: yastack.kernel exports nothing to plugins.
        assertTrue(out.contains("PROBE own-loader=IllegalAccessException kernel-loader=IllegalAccessException direct=-"), out);
        assertTrue(out.contains("PROBE own-loader=IllegalAccessException kernel-loader=IllegalAccessException direct=IllegalAccessError"), out);
        assertFalse(out.contains("usable"), out);
    }
}
