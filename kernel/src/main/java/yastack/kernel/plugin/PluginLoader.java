package yastack.kernel.plugin;

import java.io.IOException;
import java.lang.module.Configuration;
import java.lang.module.FindException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.lang.module.ResolutionException;
import java.lang.module.ResolvedModule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.function.Predicate;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipException;
import yastack.api.PluginFactory;

/**
 * Loads plugins: the built-ins found in the host's layer and every plugin unit
 * of a plugin directory. A unit is a {@code *.jar} directly in the directory, or
 * a subdirectory whose jars (the plugin and its own dependencies) are loaded
 * together. Each unit becomes its own child {@link ModuleLayer} over the host's
 * layer, so units are isolated from each other: two units may carry two
 * versions of one library. Modular jars and plain jars with
 * {@code META-INF/services} (automatic modules) both work. Nothing a unit does
 * wrong stops the others from loading; it becomes a {@link PluginProblem}.
 */
public final class PluginLoader {
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]*");
    private static final String API_MODULE = "yastack.api";

    private final ModuleLayer parent;
    private final Map<PluginKind, Map<String, PluginInfo>> found = new EnumMap<>(PluginKind.class);
    private final List<PluginProblem> problems = new ArrayList<>();

    private PluginLoader(ModuleLayer parent) {
        this.parent = parent;
        for (PluginKind k : PluginKind.values()) found.put(k, new LinkedHashMap<>());
    }

    /** {@link #load(Path, ModuleLayer, PluginStatsRegistry)} with a fresh stats registry. */
    public static PluginRegistry load(Path dir, ModuleLayer parent) {
        return load(dir, parent, new PluginStatsRegistry());
    }

    /**
     * Registers the built-in plugins of {@code parent} (and its ancestors), then
     * loads every unit of {@code dir} over {@code parent}.
     *
     * @param dir the plugin directory, or {@code null} for built-ins only
     * @param parent the layer holding {@code yastack.api} ({@link ModuleLayer#boot()} in production)
     */
    public static PluginRegistry load(Path dir, ModuleLayer parent, PluginStatsRegistry stats) {
        PluginLoader loader = new PluginLoader(parent);
        loader.registerBuiltIns();
        if (dir != null) loader.loadDirectory(dir);
        return new PluginRegistry(loader.found, loader.problems, stats);
    }

    private void registerBuiltIns() {
        // On the class path (unit tests) built-ins may also be plain jars with META-INF/services,
        // which a module layer's ServiceLoader does not see.
        boolean classPath = !PluginFactory.class.getModule().isNamed();
        for (PluginKind kind : PluginKind.values()) {
            List<ServiceLoader.Provider<?>> found = new ArrayList<>(
                    providers(ServiceLoader.load(parent, kind.service()), kind, "built-in", m -> true));
            if (classPath) {
                for (ServiceLoader.Provider<?> p : providers(ServiceLoader.load(kind.service(), PluginLoader.class.getClassLoader()),
                        kind, "built-in", m -> !m.isNamed())) {
                    found.add(p);
                }
            }
            for (ServiceLoader.Provider<?> p : found) {
                Module m = p.type().getModule();
                String location = m.getLayer() == null ? "built-in" : locationOf(m.getLayer(), m.getName()).orElse("built-in");
                register(kind, p, m, location, true);
            }
        }
    }

    private void loadDirectory(Path dir) {
        if (parent.findModule(API_MODULE).isEmpty()) {
            problems.add(new PluginProblem(dir.toString(), "the host layer has no yastack.api module (is yastack running on the "
                    + "class path?): plugins can only be loaded when yastack runs on the module path, as bin/yastack does"));
            return;
        }
        if (!Files.isDirectory(dir)) {
            problems.add(new PluginProblem(dir.toString(), "plugin directory does not exist or is not a directory"));
            return;
        }
        List<Path> entries;
        try (Stream<Path> s = Files.list(dir)) {
            entries = s.filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
        } catch (IOException e) {
            problems.add(new PluginProblem(dir.toString(), "cannot list plugin directory: " + e.getMessage()));
            return;
        }
        for (Path e : entries) {
            if (Files.isDirectory(e)) {
                List<Path> jars;
                try (Stream<Path> s = Files.list(e)) {
                    jars = s.filter(PluginLoader::isJarName).sorted().toList();
                } catch (IOException ex) {
                    problems.add(new PluginProblem(e.toString(), "cannot list directory: " + ex.getMessage()));
                    continue;
                }
                if (jars.isEmpty()) {
                    problems.add(new PluginProblem(e.toString(), "directory holds no .jar file"));
                } else {
                    loadUnit(e, jars);
                }
            } else if (isJarName(e)) {
                loadUnit(e, List.of(e));
            }
            // Other files (READMEs, configs) are not plugins and are left alone.
        }
    }

    private static boolean isJarName(Path p) {
        return p.getFileName().toString().endsWith(".jar") && Files.isRegularFile(p);
    }

    /** Loads one unit: {@code jars} share one layer and one class loader. */
    private void loadUnit(Path unit, List<Path> jars) {
        List<Path> usable = new ArrayList<>();
        for (Path jar : jars) {
            Optional<String> bad = inspectJar(jar);
            if (bad.isPresent()) {
                problems.add(new PluginProblem(jar.toString(), bad.get()));
            } else {
                usable.add(jar);
            }
        }
        if (usable.isEmpty()) return;
        ModuleFinder finder = ModuleFinder.of(usable.toArray(Path[]::new));
        Set<String> roots;
        try {
            roots = finder.findAll().stream().map(r -> r.descriptor().name()).collect(Collectors.toSet());
        } catch (FindException e) {
            problems.add(new PluginProblem(unit.toString(), "not a usable module: " + message(e)));
            return;
        }
        for (ModuleReference r : finder.findAll()) {
            if (r.descriptor().name().equals(API_MODULE)) {
                problems.add(new PluginProblem(locationOf(r), apiCopyMessage()));
                return;
            }
        }
        ModuleLayer layer;
        try {
            Configuration cf = Configuration.resolveAndBind(finder, List.of(parent.configuration()), ModuleFinder.of(), roots);
            ModuleLayer.Controller controller = ModuleLayer.defineModulesWithOneLoader(
                    cf, List.of(parent), ClassLoader.getPlatformClassLoader());
            layer = controller.layer();
            // When the host itself runs on the class path (unit tests), the SPI types the
            // kernel uses live in the unnamed module: plugins must read it to implement them.
            // On the module path yastack.api is named and plugins already read it.
            Module spi = PluginFactory.class.getModule();
            if (!spi.isNamed()) {
                for (Module m : layer.modules()) controller.addReads(m, spi);
            }
        } catch (FindException | ResolutionException e) {
            problems.add(new PluginProblem(unit.toString(), "cannot resolve: " + message(e)));
            return;
        } catch (RuntimeException | LinkageError e) {
            problems.add(new PluginProblem(unit.toString(), "cannot define module layer: " + message(e)));
            return;
        }
        int before = count();
        for (PluginKind kind : PluginKind.values()) {
            for (ServiceLoader.Provider<?> p : providers(ServiceLoader.load(layer, kind.service()), kind, unit.toString(), m -> m.getLayer() == layer)) {
                Module m = p.type().getModule();
                register(kind, p, m, locationOf(layer, m.getName()).orElse(unit.toString()), false);
            }
        }
        boolean providesAny = layer.modules().stream().anyMatch(m -> m.getDescriptor().provides().stream()
                .anyMatch(pr -> isSpi(pr.service())));
        if (count() == before && !providesAny) {
            problems.add(new PluginProblem(unit.toString(), "provides no yastack plugin (no `provides yastack.api.*Factory` "
                    + "in module-info, nor META-INF/services/yastack.api.*Factory)"));
        }
    }

    private static boolean isSpi(String service) {
        for (PluginKind k : PluginKind.values()) if (k.service().getName().equals(service)) return true;
        return false;
    }

    private int count() {
        return found.values().stream().mapToInt(Map::size).sum();
    }

    /** Why {@code jar} cannot be a plugin jar, or empty if it looks fine. */
    private static Optional<String> inspectJar(Path jar) {
        try (JarFile jf = new JarFile(jar.toFile())) {
            Iterator<JarEntry> it = jf.entries().asIterator();
            while (it.hasNext()) {
                String n = it.next().getName();
                if (n.startsWith("yastack/api/") && n.endsWith(".class")) return Optional.of(apiCopyMessage());
            }
            return Optional.empty();
        } catch (ZipException e) {
            return Optional.of("not a jar file (cannot read it as a zip: " + e.getMessage() + ")");
        } catch (IOException | SecurityException e) {
            return Optional.of("cannot read jar: " + e);
        }
    }

    private static String apiCopyMessage() {
        return "bundles its own copy of yastack.api; the host provides yastack.api, so a second copy would make the "
                + "plugin's classes 'not a subtype' of the host's SPI. Build the plugin with yastack-api as a "
                + "provided/compile-only dependency and remove that copy from the plugin directory";
    }

    /** The providers of {@code kind} visible from {@code layer} that pass {@code accept}. */
    private List<ServiceLoader.Provider<?>> providers(ServiceLoader<? extends PluginFactory<?>> loader, PluginKind kind, String where,
                                                      Predicate<Module> accept) {
        List<ServiceLoader.Provider<?>> out = new ArrayList<>();
        Iterator<? extends ServiceLoader.Provider<?>> it;
        try {
            it = loader.stream().iterator();
        } catch (ServiceConfigurationError e) {
            problems.add(new PluginProblem(where, "cannot look up " + kind.label() + " plugins: " + message(e)));
            return out;
        }
        // A provider that cannot even be located (not a subtype, no public constructor) ends
        // the iteration with an error; record it and keep the providers found so far.
        while (true) {
            try {
                if (!it.hasNext()) break;
                ServiceLoader.Provider<?> p = it.next();
                if (accept.test(p.type().getModule())) out.add(p);
            } catch (ServiceConfigurationError e) {
                problems.add(new PluginProblem(where, "bad " + kind.label() + " plugin: " + message(e)));
                break;
            }
        }
        return out;
    }

    private void register(PluginKind kind, ServiceLoader.Provider<?> provider, Module module, String location, boolean builtIn) {
        String className = provider.type().getName();
        PluginFactory<?> factory;
        String name;
        String description;
        try {
            factory = (PluginFactory<?>) provider.get();
            name = factory.name();
            description = factory.description();
        } catch (ServiceConfigurationError | RuntimeException | LinkageError e) {
            Throwable cause = e instanceof ServiceConfigurationError && e.getCause() != null ? e.getCause() : e;
            problems.add(new PluginProblem(location, kind.label() + " factory " + className + " in module "
                    + module.getName() + " failed to start: " + cause));
            return;
        }
        if (name == null || !NAME.matcher(name).matches()) {
            problems.add(new PluginProblem(location, kind.label() + " factory " + className + " has an invalid name '"
                    + name + "' (use lower case letters, digits, '-', '_' and '.')"));
            return;
        }
        PluginInfo existing = found.get(kind).get(name);
        if (existing != null) {
            problems.add(new PluginProblem(location, "duplicate " + kind.label() + " plugin name '" + name + "': "
                    + className + " in module " + module.getName() + " is ignored; '" + name + "' is already provided by module "
                    + existing.module() + " (" + existing.location() + ")"));
            return;
        }
        ModuleDescriptor d = module.getDescriptor();
        String version = d == null ? "" : d.rawVersion().orElseGet(() -> manifestVersion(location));
        found.get(kind).put(name, new PluginInfo(name, kind, module.getName() == null ? "(unnamed)" : module.getName(),
                version, location, builtIn, description == null ? "" : description, factory));
    }

    private static String manifestVersion(String location) {
        Path p = Path.of(location);
        if (!location.endsWith(".jar") || !Files.isRegularFile(p)) return "";
        try (JarFile jf = new JarFile(p.toFile())) {
            if (jf.getManifest() == null) return "";
            String v = jf.getManifest().getMainAttributes().getValue(Attributes.Name.IMPLEMENTATION_VERSION);
            return v == null ? "" : v;
        } catch (IOException e) {
            return "";
        }
    }

    private static Optional<String> locationOf(ModuleLayer layer, String module) {
        return layer.configuration().findModule(module).map(ResolvedModule::reference).map(PluginLoader::locationOf);
    }

    private static String locationOf(ModuleReference r) {
        return r.location().map(u -> "file".equals(u.getScheme()) ? Path.of(u).toString() : u.toString()).orElse(r.descriptor().name());
    }

    private static String message(Throwable e) {
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m;
    }
}
