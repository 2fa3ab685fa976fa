package yastack.plugin.accesslog;

import java.io.IOException;
import yastack.api.AccessLogger;
import yastack.api.AccessLoggerFactory;
import yastack.api.HttpStream;
import yastack.api.PluginConfig;
import yastack.api.PluginConfigException;
import yastack.api.PluginContext;
import yastack.api.PluginStats;
import yastack.api.StreamSummary;

/**
 * {@code access-log}: one line per finished stream, to a file or stdout. What a listener's
 * {@code http.access_log} (and the top-level {@code access_log}) creates.
 *
 * <pre>
 * config:
 *   path: /var/log/yastack/access.log    # or stdout (default) / stderr
 *   format: json                          # default; or a %VAR% template, e.g.
 *   # format: '%START_TIME% "%REQ_METHOD% %REQ_PATH% %PROTOCOL%" %RESPONSE_CODE% %RESPONSE_FLAGS% %DURATION%'
 *   buffer_lines: 65536                   # lines queued for the writer thread before dropping
 * </pre>
 *
 * Stats: {@code plugin.access-log.lines}, {@code .dropped}, {@code .write_errors}.
 */
public final class FileAccessLoggerFactory implements AccessLoggerFactory {
    @Override
    public String name() {
        return "access-log";
    }

    @Override
    public String description() {
        return "one line per request: JSON or a %VAR% template, to a file or stdout";
    }

    record Settings(String path, LogFormat format, int bufferLines) {}

    static Settings settings(PluginConfig c) throws PluginConfigException {
        c.requireOnly("path", "format", "buffer_lines");
        String path = c.string("path", "stdout");
        if (path.isBlank()) throw new PluginConfigException(c.path("path") + ": must not be empty");
        LogFormat format = LogFormat.parse(c.string("format", "json"), c.path("format"));
        long buffer = c.integer("buffer_lines", 65_536);
        if (buffer < 1 || buffer > 10_000_000) throw new PluginConfigException(c.path("buffer_lines") + ": must be in 1..10000000");
        return new Settings(path, format, (int) buffer);
    }

    @Override
    public void validate(PluginConfig config) throws PluginConfigException {
        settings(config);
    }

    @Override
    public AccessLogger create(PluginConfig config, PluginContext context) throws PluginConfigException {
        return open(settings(config), config, context);
    }

    /** A logger writing with {@code s}; the filter of the same name logs through one too. */
    static FileLogger open(Settings s, PluginConfig config, PluginContext context) throws PluginConfigException {
        try {
            return new FileLogger(s.format(), LogWriter.open(s.path(), s.bufferLines(), context.stats(), context.logger()),
                    context.stats().counter("lines"));
        } catch (IOException e) {
            throw new PluginConfigException(config.path("path") + ": cannot open " + s.path() + ": " + e.getMessage(), e);
        }
    }

    static final class FileLogger implements AccessLogger {
        private final LogFormat format;
        private final LogWriter writer;
        private final PluginStats.Counter lines;

        FileLogger(LogFormat format, LogWriter writer, PluginStats.Counter lines) {
            this.format = format;
            this.writer = writer;
            this.lines = lines;
        }

        @Override
        public void log(HttpStream stream, StreamSummary summary) {
            writer.offer(format.line(stream, summary));
            lines.inc();
        }

        @Override
        public void close() {
            writer.close();
        }
    }
}
