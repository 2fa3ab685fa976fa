package yastack.xds.translate;

/**
 * A resource the proxy will not apply: what it uses that is unsupported or wrong, named by
 * the field path inside the resource. The whole response carrying it is NACKed with this
 * message as its error detail, and nothing of it is applied.
 */
public final class Rejection extends Exception {
    public Rejection(String path, String message) {
        super(path.isEmpty() ? message : path + ": " + message);
    }

    /** This rejection, prefixed with the resource it is about, e.g. {@code Listener 'web': ...}. */
    public Rejection in(String resource) {
        Rejection r = new Rejection("", resource + ": " + getMessage());
        r.setStackTrace(getStackTrace());
        return r;
    }
}
