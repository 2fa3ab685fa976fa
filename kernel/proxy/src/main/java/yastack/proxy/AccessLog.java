package yastack.proxy;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * One JSON line per request. Workers format the line and hand it to a writer thread, so
 * a slow disk or terminal never stalls the data path (lines are dropped and counted when
 * the queue is full rather than blocking a worker).
 */
final class AccessLog {
    private static final Logger LOG = Logger.getLogger("yastack.access");
    private static final ConcurrentHashMap<String, AccessLog> OPEN = new ConcurrentHashMap<>();

    private final LinkedBlockingQueue<String> queue = new LinkedBlockingQueue<>(65_536);
    private final Writer out;
    private volatile long dropped;

    private AccessLog(Writer out, String name) {
        this.out = out;
        Thread t = Thread.ofPlatform().daemon().name("access-log-" + name).start(this::drain);
        t.setPriority(Thread.NORM_PRIORITY - 1);
    }

    /** The log for a config entry, or null when disabled. Files are shared by path. */
    static AccessLog open(yastack.api.config.AccessLog config) {
        if (config == null || config.getDisabled() || config.getPath().isEmpty()) return null;
        return OPEN.computeIfAbsent(config.getPath(), p -> {
            try {
                Writer w = switch (p) {
                    case "stdout" -> new OutputStreamWriter(System.out, StandardCharsets.UTF_8);
                    case "stderr" -> new OutputStreamWriter(System.err, StandardCharsets.UTF_8);
                    default -> Files.newBufferedWriter(Path.of(p), StandardCharsets.UTF_8,
                            StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                };
                return new AccessLog(new BufferedWriter(w, 64 * 1024), Path.of(p).getFileName().toString());
            } catch (IOException e) {
                throw new IllegalStateException("cannot open access log " + p + ": " + e.getMessage(), e);
            }
        });
    }

    void log(HttpExchange ex, RequestHead head, String listener, int status, long bytesIn, long bytesOut,
             String flags, String cluster, String upstreamHost, String client) {
        long durationMicros = (System.nanoTime() - ex.startNanos) / 1000;
        StringBuilder sb = new StringBuilder(256);
        sb.append("{\"time\":\"").append(Instant.now()).append('"');
        field(sb, "listener", listener);
        field(sb, "method", ex.request().method().name());
        field(sb, "path", head == null ? ex.request().uri() : head.path());
        field(sb, "authority", head == null || head.authority().isEmpty() ? null : head.authority());
        field(sb, "protocol", ex.request().protocolVersion().text());
        sb.append(",\"status\":").append(status);
        sb.append(",\"bytes_received\":").append(bytesIn);
        sb.append(",\"bytes_sent\":").append(bytesOut);
        sb.append(",\"duration_us\":").append(durationMicros);
        field(sb, "response_flags", flags);
        field(sb, "cluster", cluster);
        field(sb, "upstream_host", upstreamHost);
        field(sb, "client", client);
        field(sb, "request_id", ex.requestId());
        field(sb, "user_agent", ex.request().headers().get("user-agent"));
        sb.append("}\n");
        if (!queue.offer(sb.toString())) dropped++;
    }

    private static void field(StringBuilder sb, String name, String value) {
        sb.append(",\"").append(name).append("\":");
        if (value == null) {
            sb.append("null");
            return;
        }
        sb.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        sb.append('"');
    }

    private void drain() {
        try {
            while (true) {
                String line = queue.poll(200, TimeUnit.MILLISECONDS);
                if (line == null) continue;
                out.write(line);
                while ((line = queue.poll()) != null) out.write(line);
                out.flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            LOG.warning("access log write failed: " + e.getMessage());
        }
    }
}
