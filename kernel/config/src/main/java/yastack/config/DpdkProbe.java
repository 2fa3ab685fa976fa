package yastack.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Whether DPDK is installed on this host, asked once and only when a config uses it. */
final class DpdkProbe {
    private static final Path EAL_LIBRARY = Path.of("/usr/lib/x86_64-linux-gnu/librte_eal.so");
    private static volatile Boolean installed;

    private DpdkProbe() {}

    static boolean installed() {
        Boolean known = installed;
        if (known == null) {
            known = Files.exists(EAL_LIBRARY) || pkgConfigKnowsDpdk();
            installed = known;
        }
        return known;
    }

    private static boolean pkgConfigKnowsDpdk() {
        try {
            Process p = new ProcessBuilder("pkg-config", "--exists", "libdpdk")
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            return false; // no pkg-config on this host
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
