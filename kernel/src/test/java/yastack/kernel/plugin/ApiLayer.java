package yastack.kernel.plugin;

import java.lang.module.Configuration;
import java.lang.module.ModuleFinder;
import java.nio.file.Path;
import java.util.Set;
import yastack.kernel.fixtures.TestJars;

/**
 * Stands in for the production boot layer in unit tests. Tests run on the class
 * path, so {@code yastack.api} is not a named module there. This layer defines
 * the modules {@code yastack.api} and {@code com.google.protobuf} (from the real
 * api classes and protobuf jar) to a loader that defines nothing itself and
 * hands every class request to the application loader: plugin modules resolve
 * against a real {@code yastack.api} module, yet the SPI classes they get are
 * the very ones the kernel under test uses.
 */
final class ApiLayer {
    private static ModuleLayer layer;

    private ApiLayer() {}

    static synchronized ModuleLayer get() {
        if (layer == null) {
            ModuleFinder finder = ModuleFinder.of(TestJars.apiModulePath().toArray(Path[]::new));
            Configuration cf = ModuleLayer.boot().configuration().resolve(finder, ModuleFinder.of(), Set.of("yastack.api"));
            ClassLoader bridge = new ClassLoader("yastack-api-bridge", ApiLayer.class.getClassLoader()) {};
            layer = ModuleLayer.boot().defineModules(cf, name -> bridge);
        }
        return layer;
    }
}
