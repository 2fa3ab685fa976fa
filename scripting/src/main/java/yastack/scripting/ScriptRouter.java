package yastack.scripting;

import yastack.api.Router;

/** A {@link Router} backed by a JavaScript module exporting {@code route(req, ctx)}. */
public interface ScriptRouter extends Router, ScriptHandle {
    /** Stops watching the file; each context closes once no call or stream uses it. */
    @Override
    void close();
}
