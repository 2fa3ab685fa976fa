package yastack.scripting.internal;

import yastack.api.testkit.TestRequest;
import yastack.api.testkit.TestStream;

/** What a kind of script (router, filter, steering) must export and how a new version is smoke-tested. */
interface ScriptKind {
    /** "router", "HTTP filter", ... for messages. */
    String describe();

    /** Fails with a message naming the missing or wrong export. */
    void checkExports(ScriptContext sc);

    /** Calls the script once with synthetic input; throws if it fails or returns nonsense. */
    void smoke(ScriptUnit unit, ScriptContext sc);

    /** The request of smoke calls: {@code GET /} as yastack.d.ts describes it to script authors. */
    static TestRequest smokeRequest() {
        return new TestRequest("GET", "/").header("host", "smoke.invalid").header("user-agent", "yastack-smoke");
    }

    /** The stream of smoke calls: from 127.0.0.1, as yastack.d.ts promises. */
    static TestStream smokeStream() {
        return new TestStream().listener("smoke").remote("127.0.0.1", 40000).id(0);
    }
}
