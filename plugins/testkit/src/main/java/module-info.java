/** In-memory stand-ins for what the kernel gives plugins, for plugin unit tests. */
module yastack.plugin.testkit {
    requires transitive yastack.api;

    exports yastack.plugin.testkit;
}
