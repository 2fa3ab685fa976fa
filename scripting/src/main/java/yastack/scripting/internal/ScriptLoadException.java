package yastack.scripting.internal;

/**
 * A script could not be loaded: a syntax error, an exception while its module
 * ran, a missing export, or a failed smoke call. The message starts with
 * {@code file:line:} when the script's source location is known. A reload
 * logs it; a first load turns it into the SPI's PluginConfigException.
 */
final class ScriptLoadException extends RuntimeException {
    ScriptLoadException(String message) {
        super(message);
    }

    ScriptLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
