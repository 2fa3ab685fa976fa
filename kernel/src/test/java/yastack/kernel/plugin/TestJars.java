package yastack.kernel.plugin;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import yastack.api.PluginFactory;

/** Builds plugin jars during a test: compiles Java sources and packs them with resources. */
final class TestJars {
    private TestJars() {}

    /** Where sources and classes are written while building; must not be a plugin directory. */
    static Path workRoot;

    /** Where class {@code c} was loaded from (a jar or a classes directory). */
    static Path locationOf(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The yastack.api classes and protobuf, as a module path for compiling modular plugins. */
    static List<Path> apiModulePath() {
        return List.of(locationOf(PluginFactory.class), locationOf(com.google.protobuf.Struct.class));
    }

    /**
     * Compiles {@code sources} (relative path -> text; a {@code module-info.java}
     * makes it modular) against {@code path} (module path if modular, else class
     * path) and writes {@code jar} with the classes and {@code resources}.
     */
    static Path build(Path jar, Map<String, String> sources, Map<String, String> resources, List<Path> path, String version)
            throws IOException {
        Path work = Files.createTempDirectory(workRoot, "build-");
        Path src = work.resolve("src");
        Path classes = work.resolve("classes");
        Files.createDirectories(classes);
        List<String> files = new ArrayList<>();
        for (Map.Entry<String, String> e : sources.entrySet()) {
            Path f = src.resolve(e.getKey());
            Files.createDirectories(f.getParent());
            Files.writeString(f, e.getValue());
            files.add(f.toString());
        }
        boolean modular = sources.containsKey("module-info.java");
        List<String> args = new ArrayList<>(List.of("-d", classes.toString(), "--release", "25", "-proc:none"));
        if (!path.isEmpty()) {
            args.add(modular ? "--module-path" : "-classpath");
            args.add(String.join(java.io.File.pathSeparator, path.stream().map(Path::toString).toList()));
        }
        if (modular && version != null) {
            args.add("--module-version");
            args.add(version);
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        StringWriter errors = new StringWriter();
        int rc;
        try (var fm = javac.getStandardFileManager(null, null, StandardCharsets.UTF_8)) {
            rc = javac.getTask(errors, fm, null, args, null, fm.getJavaFileObjectsFromStrings(files)).call() ? 0 : 1;
        }
        assertTrue(rc == 0, "compiling " + jar.getFileName() + " failed:\n" + errors);
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (version != null) mf.getMainAttributes().put(Attributes.Name.IMPLEMENTATION_VERSION, version);
        Files.createDirectories(jar.getParent());
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), mf);
             Stream<Path> walk = Files.walk(classes)) {
            for (Path f : walk.filter(Files::isRegularFile).sorted().toList()) {
                out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
                Files.copy(f, out);
                out.closeEntry();
            }
            for (Map.Entry<String, String> r : resources.entrySet()) {
                out.putNextEntry(new JarEntry(r.getKey()));
                out.write(r.getValue().getBytes(StandardCharsets.UTF_8));
                out.closeEntry();
            }
        }
        return jar;
    }

    /** Adds raw entries (name -> bytes) to a new jar. */
    static Path rawJar(Path jar, Map<String, byte[]> entries) throws IOException {
        Files.createDirectories(jar.getParent());
        try (OutputStream os = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(os)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                out.putNextEntry(new JarEntry(e.getKey()));
                out.write(e.getValue());
                out.closeEntry();
            }
        }
        return jar;
    }
}
