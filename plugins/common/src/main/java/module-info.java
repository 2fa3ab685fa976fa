/** Helpers shared by the built-in plugins; sees yastack.api only. */
module yastack.plugin.common {
    requires transitive yastack.api;

    exports yastack.plugin.common;
}
