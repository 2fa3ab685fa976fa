/**
 * The yastack API: everything a plugin jar or a script host may see. Plugins
 * require this module and nothing else of yastack.
 */
module yastack.api {
    requires transitive com.google.protobuf;

    exports yastack.api;
    exports yastack.api.config;
    // What a script runtime (the scripting module's JavaScript) offers the proxy, and what the proxy gives it.
    exports yastack.api.script;
    // What a tracing backend (the OpenTelemetry module) offers the proxy: finished spans in, export out.
    exports yastack.api.trace;
    // In-memory requests, streams, workers and contexts: for plugin tests and script smoke calls.
    exports yastack.api.testkit;
}
