package yastack.scripting.internal;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** The stdout/stderr of scripts ({@code console.log}): each line goes to a logger, never to the terminal. */
final class LogStream extends OutputStream {
    private static final int MAX_LINE = 8192;

    private final System.Logger log;
    private final System.Logger.Level level;
    private final ThreadLocal<ByteArrayOutputStream> line = ThreadLocal.withInitial(ByteArrayOutputStream::new);

    LogStream(System.Logger log, System.Logger.Level level) {
        this.log = log;
        this.level = level;
    }

    @Override
    public void write(int b) {
        ByteArrayOutputStream buf = line.get();
        if (b == '\n') {
            flushLine(buf);
        } else if (buf.size() < MAX_LINE) {
            buf.write(b);
        }
    }

    @Override
    public void write(byte[] b, int off, int len) {
        for (int i = 0; i < len; i++) write(b[off + i]);
    }

    private void flushLine(ByteArrayOutputStream buf) {
        if (log.isLoggable(level)) log.log(level, buf.toString(StandardCharsets.UTF_8));
        buf.reset();
    }
}
