package yastack.dist;

import yastack.kernel.fixtures.PluginSources;
import yastack.kernel.fixtures.TestJars;
import yastack.kernel.plugin.PluginLoader;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the shipped {@code yastack plugins}, where yastack.api and the kernel are real named
 * modules of the boot layer (unlike the class-path unit tests), with plugins built here that
 * try to reach the kernel: the kernel exports its packages only to the proxy engine and the
 * server, so no plugin can use them.
 */
class PluginIsolationIT {
    @TempDir
    Path tmp;

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

        Dist.Result r = Dist.run("plugins", "--plugins", dir.toString());
        String out = r.out() + r.err();
        assertEquals(1, r.exit(), out);

        assertTrue(out.lines().anyMatch(l -> l.matches("good\\s+filter\\s+test\\.good\\s+2\\.1\\s+.*good\\.jar")), out);
        // The kernel's classes may be found by name, but no plugin can use them: yastack.kernel exports nothing to plugins.
        assertTrue(out.contains("PROBE own-loader=IllegalAccessException kernel-loader=IllegalAccessException direct=-"), out);
        assertTrue(out.contains("PROBE own-loader=IllegalAccessException kernel-loader=IllegalAccessException direct=IllegalAccessError"), out);
        assertFalse(out.contains("usable"), out);
    }
}
