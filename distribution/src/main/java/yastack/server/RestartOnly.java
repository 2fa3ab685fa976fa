package yastack.server;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import yastack.api.config.Bootstrap;

/**
 * The parts of a config a reload cannot apply: what the process set up once at start (the
 * workers and their transport, the data plane, the admin listener, the control plane it
 * follows). A reload that changes them applies the rest and says which of these wait.
 */
final class RestartOnly {
    private RestartOnly() {}

    private record Part(String name, Function<Bootstrap, Object> value) {}

    private static final List<Part> PARTS = List.of(
            new Part("stack", Bootstrap::getStack),
            new Part("admin", Bootstrap::getAdmin),
            new Part("workers", Bootstrap::getWorkers),
            new Part("host_transport", Bootstrap::getHostTransport),
            new Part("node", Bootstrap::getNode),
            new Part("dynamic_resources", Bootstrap::getDynamicResources));

    /** The names of the restart-only sections that differ between {@code running} and {@code next}. */
    static List<String> changed(Bootstrap running, Bootstrap next) {
        List<String> out = new ArrayList<>();
        for (Part p : PARTS) {
            if (!Objects.equals(p.value().apply(running), p.value().apply(next))) out.add(p.name());
        }
        return out;
    }
}
