package yastack.server.admin;

import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.LogManager;
import java.util.logging.Logger;
import yastack.server.LogLevels;

/**
 * Envoy's admin endpoints about the process rather than the proxy: {@code /logging} (the log
 * levels, changed at run time), {@code /memory} (the JVM's heap, the off-heap buffers and the
 * resident set) and {@code /help}.
 */
final class ProcessEndpoints {
    /** Loggers whose level was set here: java.util.logging keeps loggers only weakly, and a collected one would forget it. */
    private static final Map<String, Logger> SET = new ConcurrentHashMap<>();

    private ProcessEndpoints() {}


    /** The root logger ({@code ""}) and every logger with a level of its own, as Envoy lists them. */
    static Map<String, Object> levels() {
        Map<String, Object> out = new TreeMap<>();
        for (String n : Collections.list(LogManager.getLogManager().getLoggerNames())) {
            Logger l = LogManager.getLogManager().getLogger(n);
            if (l != null && (n.isEmpty() || l.getLevel() != null)) out.put(n, LogLevels.name(l.getLevel()));
        }
        return Map.of("active_loggers", out);
    }

    /**
     * {@code level=LEVEL} sets the root logger (every logger that has no level of its own);
     * {@code NAME=LEVEL} sets one logger ({@code yastack}, {@code yastack.plugin.rbac}, {@code io.netty}).
     * Returns null when done, else what was wrong.
     */
    static String set(Map<String, String> params) {
        if (params.isEmpty()) return "give level=LEVEL or LOGGER=LEVEL (" + LogLevels.NAMES + ")";
        for (Map.Entry<String, String> p : params.entrySet()) {
            if (LogLevels.parse(p.getValue()) == null) return "unknown level '" + p.getValue() + "' for " + p.getKey();
        }
        for (Map.Entry<String, String> p : params.entrySet()) {
            String logger = p.getKey().equals("level") ? "" : p.getKey();
            Logger l = SET.computeIfAbsent(logger, Logger::getLogger);
            l.setLevel(LogLevels.parse(p.getValue()));
        }
        return null;
    }

    static Map<String, Object> memory() {
        Map<String, Object> out = new LinkedHashMap<>();
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        MemoryUsage nonHeap = ManagementFactory.getMemoryMXBean().getNonHeapMemoryUsage();
        out.put("heap_used_bytes", heap.getUsed());
        out.put("heap_committed_bytes", heap.getCommitted());
        out.put("heap_max_bytes", heap.getMax());
        out.put("non_heap_used_bytes", nonHeap.getUsed());
        out.put("non_heap_committed_bytes", nonHeap.getCommitted());
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            String n = pool.getName().replaceAll("[^a-z]+", "_");
            out.put(n + "_buffers", pool.getCount());
            out.put(n + "_buffer_bytes", pool.getMemoryUsed());
        }
        out.put("resident_bytes", resident());
        return out;
    }

    /** VmRSS from /proc/self/status, or -1 where there is none. */
    private static long resident() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux: no figure
        }
        return -1;
    }

    static final List<String[]> ENDPOINTS = List.of(
            new String[] {"/", "the live page"},
            new String[] {"/ready", "200 LIVE while serving, 503 while draining or not started"},
            new String[] {"/server_info", "pid, state, uptime, open connections, host transport"},
            new String[] {"/stats", "every stat as name: value (?filter=REGEX, ?usedonly, ?type=Counters|Gauges|Histograms, ?format=json|prometheus)"},
            new String[] {"/stats/prometheus", "the stats in Prometheus' text format"},
            new String[] {"/clusters", "clusters and their endpoints' health and stats"},
            new String[] {"/listeners", "listeners and their addresses"},
            new String[] {"/certs", "loaded certificates and their expiry"},
            new String[] {"/config_dump", "the running config (keys redacted) and the control plane's resources"},
            new String[] {"/overload", "memory watermarks and connection counts"},
            new String[] {"/memory", "heap, off-heap buffers and resident set"},
            new String[] {"/logging", "log levels; POST ?level=debug or ?LOGGER=LEVEL changes them"},
            new String[] {"/workers", "userspace data plane: workers and their queues"},
            new String[] {"/stack", "userspace data plane: interfaces, TCP settings, counters"},
            new String[] {"POST /reload", "re-read the config file"},
            new String[] {"POST /reopen_logs", "reopen access log files"},
            new String[] {"POST /reset_counters", "counters in /stats read from zero (gauges and histograms stay)"},
            new String[] {"POST /healthcheck/fail", "fail /ready and close connections as they finish"},
            new String[] {"POST /healthcheck/ok", "undo /healthcheck/fail"},
            new String[] {"POST /drain_listeners", "stop accepting (?graceful: after the drain delay)"},
            new String[] {"POST /quitquitquit", "exit now, closing what is open"},
            new String[] {"/help", "this list"});

    static String help() {
        StringBuilder b = new StringBuilder("admin commands are:\n");
        for (String[] e : ENDPOINTS) b.append("  ").append(e[0]).append(": ").append(e[1]).append('\n');
        return b.toString();
    }
}
