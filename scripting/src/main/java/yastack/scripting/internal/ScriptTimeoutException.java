package yastack.scripting.internal;

import java.time.Duration;

/** A script call ran past the per-invocation time limit and was cut off. */
public final class ScriptTimeoutException extends RuntimeException {
    public ScriptTimeoutException(Duration limit, Throwable cause) {
        super("script ran longer than " + limit.toMillis() + " ms and was interrupted", cause);
    }
}
