package yastack.scripting;

import yastack.api.script.ScriptRuntime;
import yastack.api.script.ScriptRuntimeProvider;
import yastack.scripting.internal.GraalInfo;
import yastack.scripting.internal.ScriptHost;

/**
 * JavaScript (GraalJS) policies for the proxy: routers, HTTP filters and RSS steering
 * policies written as ES modules, hot-reloaded, sandboxed, each call time-limited. The proxy
 * finds it with {@code ServiceLoader.load(ScriptRuntimeProvider.class)} and never needs this
 * module's classes.
 */
public final class JavaScriptProvider implements ScriptRuntimeProvider {
    /** For {@link java.util.ServiceLoader}. */
    public JavaScriptProvider() {}

    /** E.g. {@code javascript: GraalJS 25.0.5, interpreted (...)}; probes the engine once per process. */
    @Override
    public String describe() {
        return GraalInfo.describe();
    }

    @Override
    public ScriptRuntime start(ScriptRuntime.Settings settings) {
        return new ScriptHost(settings);
    }
}
