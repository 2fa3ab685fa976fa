/** Hosts JavaScript policies (GraalJS). Sees only the public API. */
module yastack.scripting {
    requires yastack.api;

    exports yastack.scripting;
}
