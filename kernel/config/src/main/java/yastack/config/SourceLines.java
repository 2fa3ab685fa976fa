package yastack.config;

import java.util.HashMap;
import java.util.Map;

/**
 * Where each field path was written in the YAML source. Also tells whether a field
 * was written at all, which proto3 scalars cannot (an explicit {@code port: 0}
 * and a missing port look the same in the message).
 */
final class SourceLines {
    private final Map<String, Integer> lines = new HashMap<>();

    void record(String path, int line) {
        lines.putIfAbsent(path, line);
    }

    boolean written(String path) {
        return lines.containsKey(path);
    }

    /** The line of {@code path}, or of its closest written ancestor; 0 if none is known. */
    int lineOf(String path) {
        String p = path;
        while (true) {
            Integer line = lines.get(p);
            if (line != null) return line;
            if (p.isEmpty()) return 0;
            p = parent(p);
        }
    }

    static String parent(String path) {
        int cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
        return cut < 0 ? "" : path.substring(0, cut);
    }

    static String child(String parent, String field) {
        return parent.isEmpty() ? field : parent + "." + field;
    }

    static String element(String parent, int index) {
        return parent + "[" + index + "]";
    }
}
