package yastack.scripting.internal;

/** What a kind of script (router, filter, steering) must export and how a new version is smoke-tested. */
interface ScriptKind {
    /** "router", "HTTP filter", ... for messages. */
    String describe();

    /** Fails with a message naming the missing or wrong export. */
    void checkExports(ScriptContext sc);

    /** Calls the script once with synthetic input; throws if it fails or returns nonsense. */
    void smoke(ScriptUnit unit, ScriptContext sc);
}
