package yastack.scripting.internal;

import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.SandboxPolicy;

/**
 * Which JavaScript runtime this process runs: GraalJS on the optimizing
 * Truffle runtime (the Graal compiler through JVMCI) or, when the JVM was not
 * started with the compiler, the interpreter only.
 */
public final class GraalInfo {
    private static volatile String description;

    private GraalInfo() {}

    /** A one-line description for {@code yastack version} and the startup log. */
    public static String describe() {
        probe();
        return description;
    }

    /** The polyglot jar's version from its manifest (the engine reports "Development Build" for Maven builds). */
    private static String polyglotVersion(String fallback) {
        try {
            var src = Engine.class.getProtectionDomain().getCodeSource();
            if (src == null) return fallback;
            try (var jar = new java.util.jar.JarFile(new java.io.File(src.getLocation().toURI()))) {
                var mf = jar.getManifest();
                String v = mf == null ? null : mf.getMainAttributes().getValue("Implementation-Version");
                return v == null ? fallback : v;
            }
        } catch (Exception e) {
            return fallback;
        }
    }

    private static String whyInterpreted() {
        // bin/yastack says which start it chose: the AOT cache and the Graal compiler exclude each other.
        return "interpreted".equals(System.getProperty("yastack.js"))
                ? "bin/yastack started with the AOT cache because the config named no script;"
                    + " YASTACK_JS=optimized starts with the Graal compiler instead"
                : "no Graal compiler on this JVM; bin/yastack enables it when graal/ holds compiler-<JDK version>.jar";
    }

    private static synchronized void probe() {
        if (description != null) return;
        try (Engine e = Engine.newBuilder("js")
                .sandbox(SandboxPolicy.CONSTRAINED)
                .out(java.io.OutputStream.nullOutputStream())
                .err(java.io.OutputStream.nullOutputStream())
                .option("engine.WarnInterpreterOnly", "false")
                .build()) {
            String impl = e.getImplementationName();
            String version = polyglotVersion(e.getVersion());
            boolean opt = !impl.toLowerCase(java.util.Locale.ROOT).contains("interpreted");
            description = opt
                    ? "javascript: GraalJS " + version + ", optimized (" + impl + ", Graal compiler via JVMCI)"
                    : "javascript: GraalJS " + version + ", interpreted (" + whyInterpreted() + ")";
        } catch (RuntimeException | LinkageError e) {
            description = "javascript: unavailable (" + e + ")";
        }
    }
}
