package yastack.xds;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import yastack.api.config.Bootstrap;
import yastack.config.ConfigError;

/**
 * Names the resource a problem in the composed config belongs to: the composed config lists
 * the file's listeners and clusters first, then the dynamic ones, so {@code listeners[5]}
 * past the file's is the control plane's listener at that place.
 */
final class ResourcePaths {
    private static final Pattern ITEM = Pattern.compile("^(listeners|clusters)\\[(\\d+)]");

    private ResourcePaths() {}

    static String describe(List<ConfigError> errors, Bootstrap composed, Bootstrap file) {
        return errors.stream().map(e -> describe(e, composed, file)).collect(Collectors.joining("; "));
    }

    private static String describe(ConfigError e, Bootstrap composed, Bootstrap file) {
        Matcher m = ITEM.matcher(e.path());
        if (!m.find()) return e.toString();
        int i = Integer.parseInt(m.group(2));
        boolean listener = m.group(1).equals("listeners");
        int statics = listener ? file.getListenersCount() : file.getClustersCount();
        String name = listener ? composed.getListeners(i).getName() : composed.getClusters(i).getName();
        String what = (i < statics ? "static " : "") + (listener ? "Listener" : "Cluster") + " '" + name + "'";
        return what + ": " + e;
    }
}
