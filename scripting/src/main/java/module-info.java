/**
 * JavaScript policies (GraalJS): routers, HTTP filters and RSS steering policies
 * written as ES modules, hot-reloaded when their files change, each run in a
 * sandboxed context per worker thread. The proxy sees it only as a provider of
 * the API's script SPI; the engine behind it stays internal.
 */
module yastack.scripting {
    requires yastack.api;
    requires org.graalvm.polyglot;

    // Only the provider class, for hosts that name it; everything they call is yastack.api.script.
    exports yastack.scripting;

    provides yastack.api.script.ScriptRuntimeProvider with yastack.scripting.JavaScriptProvider;
}
