/**
 * Hosts JavaScript policies (GraalJS): routers, HTTP filters and RSS steering
 * policies written as ES modules, hot-reloaded when their files change, each
 * run in a sandboxed context per worker thread. Sees only the public API.
 */
module yastack.scripting {
    requires yastack.api;
    requires org.graalvm.polyglot;

    exports yastack.scripting;
}
