package yastack.api.script;

import java.nio.file.Path;
import java.util.List;

/**
 * How a host watches files for changes (the same way it watches its config): a change of
 * content — also by rename or by swapping a symbolic link, as Kubernetes updates a mounted
 * ConfigMap — calls back once the writer is done.
 */
@FunctionalInterface
public interface FileWatch {
    /** Calls {@code onChange} (on a thread of the host's) whenever one of {@code files} changes, until closed. */
    AutoCloseable watch(String name, List<Path> files, Runnable onChange);
}
