package yastack.api.script;

/**
 * Service interface of a language runtime for policies written as scripts. The proxy finds
 * one with {@link java.util.ServiceLoader} when a config names a script; yastack ships
 * JavaScript (GraalJS) in the {@code yastack.scripting} module. Without a provider, a config
 * that names a script is refused with a clear message.
 */
public interface ScriptRuntimeProvider {
    /** One line for {@code yastack version} and the start-up log, e.g. the engine and whether it is compiled. */
    String describe();

    /** Starts a runtime for one process (one engine, its reload watching, its sandbox). */
    ScriptRuntime start(ScriptRuntime.Settings settings);
}
