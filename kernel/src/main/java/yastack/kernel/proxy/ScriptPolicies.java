package yastack.kernel.proxy;

import com.google.protobuf.Struct;
import yastack.api.PluginConfigException;
import yastack.api.Router;
import yastack.kernel.plugin.FilterChain;

/**
 * Where listeners get JavaScript filters and routers ({@code script:} in the config).
 * The kernel asks this interface so the proxy does not depend on the script host's
 * lifecycle; {@link #NONE} refuses scripts with a clear message.
 */
public interface ScriptPolicies {
    FilterChain.Entry filter(String script, Struct config, String fieldPath) throws PluginConfigException;

    Router router(String script, Struct config, String fieldPath) throws PluginConfigException;

    ScriptPolicies NONE = new ScriptPolicies() {
        @Override
        public FilterChain.Entry filter(String script, Struct config, String fieldPath) throws PluginConfigException {
            throw new PluginConfigException(fieldPath + ".script: JavaScript policies are not available in this build");
        }

        @Override
        public Router router(String script, Struct config, String fieldPath) throws PluginConfigException {
            throw new PluginConfigException(fieldPath + ".script: JavaScript policies are not available in this build");
        }
    };
}
