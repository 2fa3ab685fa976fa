package yastack.plugin.headers;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import yastack.api.ConfiguredHttpFilter;
import yastack.api.FilterResult;
import yastack.api.HttpFilter;
import yastack.api.HttpFilterFactory;
import yastack.api.HttpHeadersView;
import yastack.api.HttpRequestHead;
import yastack.api.HttpResponseHead;
import yastack.api.HttpStream;
import yastack.api.PluginConfig;
import yastack.api.PluginConfigException;
import yastack.api.PluginContext;
import yastack.plugin.common.Template;

/**
 * {@code headers}: edits request headers before they go upstream and response
 * headers before they go to the client.
 *
 * <pre>
 * config:
 *   request:
 *     set:    {x-client-ip: "%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%"}
 *     add:    {x-trace: "%REQ(x-request-id)%"}
 *     remove: [x-internal-token]
 *   response:
 *     set:    {x-served-by: yastack}
 *     remove: [server]
 * </pre>
 *
 * Within a direction, {@code remove} runs first, then {@code set}, then
 * {@code add}. A value that expands to the empty string is not written.
 */
public final class HeadersFilterFactory implements HttpFilterFactory {
    @Override
    public String name() {
        return "headers";
    }

    @Override
    public String description() {
        return "add/set/remove request and response headers (%REQ(x)%, %DOWNSTREAM_REMOTE_ADDRESS%, ...)";
    }

    @Override
    public void validate(PluginConfig config) throws PluginConfigException {
        parse(config);
    }

    @Override
    public ConfiguredHttpFilter create(PluginConfig config, PluginContext context) throws PluginConfigException {
        Edits[] edits = parse(config);
        Edits request = edits[0];
        Edits response = edits[1];
        return stream -> new HttpFilter() {
            private HttpRequestHead req;

            @Override
            public FilterResult onRequestHeaders(HttpStream s, HttpRequestHead r) {
                req = r;
                if (!request.isEmpty()) request.apply(r.headers(), new Template.Vars(s, r, null, null, null));
                return FilterResult.proceed();
            }

            @Override
            public FilterResult onResponseHeaders(HttpStream s, HttpResponseHead r) {
                if (!response.isEmpty()) response.apply(r.headers(), new Template.Vars(s, req, r, null, null));
                return FilterResult.proceed();
            }
        };
    }

    private static Edits[] parse(PluginConfig config) throws PluginConfigException {
        config.requireOnly("request", "response");
        return new Edits[] {Edits.parse(config.object("request")), Edits.parse(config.object("response"))};
    }

    private record Edit(String name, Template value) {}

    private record Edits(List<String> remove, List<Edit> set, List<Edit> add) {
        static Edits parse(PluginConfig c) throws PluginConfigException {
            c.requireOnly("set", "add", "remove");
            List<String> remove = c.strings("remove");
            return new Edits(remove, edits(c, "set"), edits(c, "add"));
        }

        private static List<Edit> edits(PluginConfig c, String key) throws PluginConfigException {
            List<Edit> out = new ArrayList<>();
            for (Map.Entry<String, String> e : c.stringMap(key).entrySet()) {
                if (e.getKey().isBlank()) throw new PluginConfigException(c.path(key) + ": empty header name");
                out.add(new Edit(e.getKey(), Template.parse(e.getValue(), c.path(key) + "." + e.getKey())));
            }
            return out;
        }

        boolean isEmpty() {
            return remove.isEmpty() && set.isEmpty() && add.isEmpty();
        }

        void apply(HttpHeadersView h, Template.Vars vars) {
            for (String r : remove) h.remove(r);
            for (Edit e : set) {
                String v = e.value.expand(vars);
                if (!v.isEmpty()) h.set(e.name, v);
            }
            for (Edit e : add) {
                String v = e.value.expand(vars);
                if (!v.isEmpty()) h.add(e.name, v);
            }
        }
    }
}
