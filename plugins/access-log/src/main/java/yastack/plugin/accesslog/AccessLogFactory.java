package yastack.plugin.accesslog;

import yastack.api.ConfiguredHttpFilter;
import yastack.api.HttpFilter;
import yastack.api.HttpFilterFactory;
import yastack.api.HttpStream;
import yastack.api.PluginConfig;
import yastack.api.PluginConfigException;
import yastack.api.PluginContext;
import yastack.api.StreamSummary;

/**
 * {@code access-log} as an HTTP filter ({@code http.filters: [{name: access-log, config: ...}]}):
 * the same logger as {@link FileAccessLoggerFactory}, for configs that log from the filter
 * chain, e.g. to write a second file in another format.
 */
public final class AccessLogFactory implements HttpFilterFactory {
    @Override
    public String name() {
        return "access-log";
    }

    @Override
    public String description() {
        return "the access-log logger as a filter (same config: path, format or log_format, filter, buffer_lines)";
    }

    @Override
    public void validate(PluginConfig config) throws PluginConfigException {
        AccessLogSettings.of(config);
    }

    @Override
    public ConfiguredHttpFilter create(PluginConfig config, PluginContext context) throws PluginConfigException {
        FileAccessLoggerFactory.FileLogger logger = FileAccessLoggerFactory.open(AccessLogSettings.of(config), config, context);
        return new ConfiguredHttpFilter() {
            @Override
            public HttpFilter newStreamFilter(HttpStream stream) {
                return new HttpFilter() {
                    @Override
                    public void onComplete(HttpStream st, StreamSummary summary) {
                        logger.log(st, summary);
                    }
                };
            }

            @Override
            public void reopenLogs() {
                logger.reopenLogs();
            }

            @Override
            public void close() {
                logger.close();
            }
        };
    }
}
