package yastack.scripting;

/**
 * A script could not be loaded: a syntax error, an exception while its module
 * ran, a missing export, or a failed smoke call. The message starts with
 * {@code file:line:} when the script's source location is known.
 */
public class ScriptLoadException extends RuntimeException {
    public ScriptLoadException(String message) {
        super(message);
    }

    public ScriptLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
