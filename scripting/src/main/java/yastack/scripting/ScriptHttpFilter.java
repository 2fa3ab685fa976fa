package yastack.scripting;

import yastack.api.ConfiguredHttpFilter;

/**
 * A {@link ConfiguredHttpFilter} backed by a JavaScript module exporting
 * {@code onRequest(req, ctx)} and/or {@code onResponse(res, ctx)}.
 */
public interface ScriptHttpFilter extends ConfiguredHttpFilter, ScriptHandle {
    /** Stops watching the file; each context closes once no call or stream uses it. */
    @Override
    void close();
}
