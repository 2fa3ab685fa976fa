package yastack.scripting.internal;

import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Value;

/** A script's promise was rejected; the message carries the reason (with file:line for errors). */
final class ScriptRejection extends RuntimeException {
    ScriptRejection(Value reason) {
        super(describe(reason));
    }

    private static String describe(Value reason) {
        if (reason == null || reason.isNull()) return "promise rejected";
        if (reason.isException()) {
            try {
                reason.throwException();
            } catch (PolyglotException e) {
                return "promise rejected: " + ScriptErrors.describe(e, null);
            }
        }
        return "promise rejected: " + reason;
    }
}
