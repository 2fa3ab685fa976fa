package yastack.config;

import com.google.protobuf.Duration;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** What the semantic checks share: where fields were written, where files live, and the errors found. */
final class Findings {
    private final SourceLines lines;
    private final Path baseDir;
    private final List<ConfigError> errors = new ArrayList<>();

    Findings(SourceLines lines, Path baseDir) {
        this.lines = lines;
        this.baseDir = baseDir;
    }

    List<ConfigError> errors() {
        return errors;
    }

    void error(String path, String message) {
        errors.add(new ConfigError(path, message, lines.lineOf(path)));
    }

    boolean written(String path) {
        return lines.written(path);
    }

    /** A string field counts as given when non-empty or written explicitly (even as ""). */
    boolean given(String path, String value) {
        return !value.isEmpty() || lines.written(path);
    }

    void port(String path, int port) {
        if (port < 1 || port > 65535) error(path, "must be 1..65535" + (port == 0 ? " (a port is required)" : ", got " + Integer.toUnsignedString(port)));
    }

    void nonNegative(String path, boolean present, Duration d) {
        if (present && DurationText.isNegative(d)) error(path, "must not be negative");
    }

    void positive(String path, boolean present, Duration d) {
        if (present && (DurationText.isNegative(d) || (d.getSeconds() == 0 && d.getNanos() == 0))) error(path, "must be greater than 0");
    }

    void address(String path, String address) {
        if (!address.isEmpty() && !NetText.isAddressOrHostname(address)) {
            error(path, "'" + address + "' is not an IP address or host name");
        }
    }

    void headerName(String path, String name) {
        if (name.isEmpty()) error(path, "a header name is required");
        else if (!NetText.isToken(name)) error(path, "'" + name + "' is not a valid header name");
    }

    void regex(String path, String regex) {
        try {
            Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            String where = e.getIndex() >= 0 ? " at index " + e.getIndex() : "";
            error(path, "invalid regex '" + regex + "': " + e.getDescription() + where);
        }
    }

    /** A file the config refers to; relative paths resolve against the config file's directory. */
    void existingFile(String path, String file, String what) {
        if (file.isEmpty()) {
            error(path, what + " file is required");
            return;
        }
        Path p;
        try {
            p = baseDir.resolve(file);
        } catch (InvalidPathException e) {
            error(path, "'" + file + "' is not a valid file name");
            return;
        }
        if (!Files.isRegularFile(p)) error(path, what + " file not found: " + p);
        else if (!Files.isReadable(p)) error(path, what + " file is not readable: " + p);
    }

    /** Errors when more than one, or (if {@code required}) none, of the named alternatives is given. */
    void exclusive(String path, boolean required, Object... namesAndPresence) {
        List<String> all = new ArrayList<>();
        List<String> present = new ArrayList<>();
        for (int i = 0; i < namesAndPresence.length; i += 2) {
            String name = (String) namesAndPresence[i];
            all.add(name);
            if ((Boolean) namesAndPresence[i + 1]) present.add(name);
        }
        String choices = String.join(", ", all.subList(0, all.size() - 1)) + " or " + all.getLast();
        if (present.size() > 1) {
            error(path, "has " + String.join(" and ", present) + "; give " + (required ? "exactly" : "at most")
                    + " one of " + choices);
        } else if (required && present.isEmpty()) {
            error(path, "needs one of " + choices);
        }
    }
}
