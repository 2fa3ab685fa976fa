package yastack.scripting;

/** Describes which JavaScript runtime this build carries. */
public final class ScriptRuntime {
    private ScriptRuntime() {}

    /** A one-line description for {@code yastack version}. */
    public static String describe() {
        return "javascript: not bundled in this build";
    }
}
