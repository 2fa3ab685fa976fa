package yastack.proxy;

import com.google.protobuf.Struct;
import yastack.api.ConfiguredHttpFilter;
import yastack.api.PluginConfigException;
import yastack.api.Router;
import yastack.api.SteeringPolicy;

/**
 * Where listeners get JavaScript filters and routers ({@code script:} in the config).
 * The kernel asks this interface so the proxy does not depend on the script host's
 * lifecycle; {@link #NONE} refuses scripts with a clear message.
 */
public interface ScriptPolicies {
    ConfiguredHttpFilter filter(String script, Struct config, String fieldPath) throws PluginConfigException;

    Router router(String script, Struct config, String fieldPath) throws PluginConfigException;

    /** The RSS steering policy of {@code stack.rss.steering.script}. */
    SteeringPolicy steering(String script);

    ScriptPolicies NONE = new ScriptPolicies() {
        @Override
        public ConfiguredHttpFilter filter(String script, Struct config, String fieldPath) throws PluginConfigException {
            throw new PluginConfigException(fieldPath + ".script: JavaScript policies are not available in this build");
        }

        @Override
        public Router router(String script, Struct config, String fieldPath) throws PluginConfigException {
            throw new PluginConfigException(fieldPath + ".script: JavaScript policies are not available in this build");
        }

        @Override
        public SteeringPolicy steering(String script) {
            throw new IllegalStateException("stack.rss.steering.script: JavaScript policies are not available in this build");
        }
    };
}
