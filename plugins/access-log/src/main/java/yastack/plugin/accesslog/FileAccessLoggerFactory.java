package yastack.plugin.accesslog;

import java.io.IOException;
import java.time.Instant;
import yastack.api.AccessLogger;
import yastack.api.AccessLoggerFactory;
import yastack.api.HttpStream;
import yastack.api.PluginConfig;
import yastack.api.PluginConfigException;
import yastack.api.PluginContext;
import yastack.api.PluginStats;
import yastack.api.StreamSummary;

/**
 * {@code access-log}: one line per finished stream, to a file or stdout. What each of a
 * listener's {@code http.access_log} entries (and the top-level {@code access_log}) creates,
 * from the typed entry; as a plugin config, the same fields as a map:
 *
 * <pre>
 * config:
 *   path: /var/log/yastack/access.log    # or stdout (default) / stderr
 *   format: json                          # default; or a text line with Envoy command operators, e.g.
 *   # format: '%START_TIME% "%REQ(:METHOD)% %REQ(:PATH)% %PROTOCOL%" %RESPONSE_CODE% %RESPONSE_FLAGS% %DURATION%'
 *   # log_format: {json_format: {status: "%RESPONSE_CODE%", path: "%REQ(:PATH)%"}}   # instead of format
 *   filter: {status_code_filter: {op: ge, value: 500}}   # also duration_filter, runtime_filter, response_flag_filter
 *   buffer_lines: 65536                   # lines queued for the writer thread before dropping
 * </pre>
 *
 * Stats: {@code plugin.access-log.lines}, {@code .dropped}, {@code .write_errors}, {@code .reopened}.
 */
public final class FileAccessLoggerFactory implements AccessLoggerFactory {
    @Override
    public String name() {
        return "access-log";
    }

    @Override
    public String description() {
        return "one line per request: JSON or Envoy command operators (text or JSON), filtered, to a file or stdout";
    }

    @Override
    public void validate(PluginConfig config) throws PluginConfigException {
        AccessLogSettings.of(config);
    }

    @Override
    public AccessLogger create(PluginConfig config, PluginContext context) throws PluginConfigException {
        return open(AccessLogSettings.of(config), config, context);
    }

    /** A logger writing with {@code s}; the filter of the same name logs through one too. */
    static FileLogger open(AccessLogSettings s, PluginConfig config, PluginContext context) throws PluginConfigException {
        try {
            return new FileLogger(s, LogWriter.open(s.path(), s.bufferLines(), context.stats(), context.logger()),
                    context.stats().counter("lines"));
        } catch (IOException e) {
            throw new PluginConfigException(config.path("path") + ": cannot open " + s.path() + ": " + e.getMessage(), e);
        }
    }

    static final class FileLogger implements AccessLogger {
        private final AccessLogSettings settings;
        private final LogWriter writer;
        private final PluginStats.Counter lines;

        FileLogger(AccessLogSettings settings, LogWriter writer, PluginStats.Counter lines) {
            this.settings = settings;
            this.writer = writer;
            this.lines = lines;
        }

        @Override
        public void log(HttpStream stream, StreamSummary summary) {
            if (!settings.filter().accepts(summary)) return;
            Instant start = Instant.now().minusNanos(summary.durationNanos());
            writer.offer(settings.format().line(stream, summary, start));
            lines.inc();
        }

        @Override
        public void reopenLogs() {
            writer.reopen();
        }

        @Override
        public void close() {
            writer.close();
        }
    }
}
