package yastack.scripting.internal;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.proxy.ProxyArray;
import org.graalvm.polyglot.proxy.ProxyExecutable;
import org.graalvm.polyglot.proxy.ProxyObject;
import yastack.api.HttpStream;
import yastack.api.PluginStats;
import yastack.api.WorkerContext;
import yastack.api.ClusterCalls;
import yastack.api.testkit.TestContext;

/**
 * The {@code ctx} a script receives: its {@code config}, stats
 * ({@code ctx.counter("name").inc()} publishes {@code script.<script>.name}),
 * logging, and for filters {@code ctx.httpCall(cluster, request)} — the only
 * way out of the sandbox. A filter's ctx lives for one stream: properties the
 * script sets in {@code onRequest} are there in {@code onResponse}.
 */
final class JsCtx implements ProxyObject {
    private static final Set<String> BUILTIN = Set.of("config", "counter", "log", "warn", "error", "httpCall", "span");

    /** Per-context state shared by every ctx of that context. */
    static final class Shared {
        final ScriptUnit unit;
        final ScriptContext sc;
        final boolean smoke;
        private final Map<String, ProxyObject> counters = new HashMap<>();
        /** Smoke calls must not move real stats: their counters count here and are dropped. */
        private final PluginStats scratch;
        final ProxyExecutable counter;
        final ProxyExecutable log;
        final ProxyExecutable warn;
        final ProxyExecutable error;

        Shared(ScriptUnit unit, ScriptContext sc, boolean smoke) {
            this.unit = unit;
            this.sc = sc;
            this.smoke = smoke;
            this.scratch = smoke ? new TestContext("smoke").stats() : null;
            this.counter = a -> counters.computeIfAbsent(JsValues.text(a[0]), this::newCounter);
            this.log = a -> log(System.Logger.Level.INFO, a);
            this.warn = a -> log(System.Logger.Level.WARNING, a);
            this.error = a -> log(System.Logger.Level.ERROR, a);
        }

        private ProxyObject newCounter(String name) {
            if (name.isEmpty() || name.startsWith(".") || name.endsWith(".")) {
                throw new IllegalArgumentException("counter name must be a non-empty dotted path, got '" + name + "'");
            }
            PluginStats.Counter c = smoke ? scratch.counter(name) : unit.host.counter("script." + unit.name + "." + name);
            Map<String, Object> m = new HashMap<>();
            m.put("inc", (ProxyExecutable) a -> {
                c.inc();
                return null;
            });
            m.put("add", (ProxyExecutable) a -> {
                long n = a.length == 0 ? 1 : a[0].asLong();
                // Whatever sink the host gives, a script gets the same answer (and the same smoke result).
                if (n < 0) throw new IllegalArgumentException("counters only go up; add(" + n + ")");
                c.add(n);
                return null;
            });
            return new ProxyObject() {
                @Override
                public Object getMember(String key) {
                    return "value".equals(key) ? c.value() : m.get(key);
                }

                @Override
                public Object getMemberKeys() {
                    return ProxyArray.fromArray("inc", "add", "value");
                }

                @Override
                public boolean hasMember(String key) {
                    return "value".equals(key) || m.containsKey(key);
                }

                @Override
                public void putMember(String key, Value value) {
                    throw new UnsupportedOperationException("counters are changed with inc() and add()");
                }
            };
        }

        private Object log(System.Logger.Level level, Value[] args) {
            if (smoke || !unit.log.isLoggable(level)) return null;
            StringBuilder sb = new StringBuilder();
            for (Value v : args) {
                if (!sb.isEmpty()) sb.append(' ');
                sb.append(v.isString() ? v.asString() : v.toString());
            }
            unit.log.log(level, sb.toString());
            return null;
        }
    }

    private final Shared shared;
    private final WorkerContext worker;
    private final Map<String, Object> props;
    /** A filter's stream span ({@code ctx.span}), made on first use; null for routers and steering. */
    private final HttpStream stream;
    private JsSpan span;
    /** The decision a filter's promise will produce; failed if a continuation of this stream breaks. */
    CompletableFuture<?> pending;

    /** A ctx for routers and steering: no httpCall, no span, no properties. */
    JsCtx(Shared shared) {
        this(shared, null, false);
    }

    /** A ctx for one filter stream. */
    JsCtx(Shared shared, HttpStream stream, boolean withProps) {
        this.shared = shared;
        this.stream = stream;
        this.worker = stream == null ? null : stream.worker();
        this.props = withProps ? new HashMap<>() : null;
    }

    @Override
    public Object getMember(String key) {
        return switch (key) {
            case "config" -> shared.sc.config();
            case "counter" -> shared.counter;
            case "log" -> shared.log;
            case "warn" -> shared.warn;
            case "error" -> shared.error;
            case "httpCall" -> worker == null ? null : (ProxyExecutable) this::httpCall;
            case "span" -> stream == null ? null : span();
            default -> props == null ? null : props.get(key);
        };
    }

    @Override
    public Object getMemberKeys() {
        Set<String> keys = new LinkedHashSet<>(BUILTIN);
        if (worker == null) keys.remove("httpCall");
        if (stream == null) keys.remove("span");
        if (props != null) keys.addAll(props.keySet());
        return ProxyArray.fromArray(keys.toArray());
    }

    @Override
    public boolean hasMember(String key) {
        if (key.equals("httpCall")) return worker != null;
        if (key.equals("span")) return stream != null;
        return BUILTIN.contains(key) || props != null && props.containsKey(key);
    }

    @Override
    public void putMember(String key, Value value) {
        if (props == null || BUILTIN.contains(key)) {
            throw new UnsupportedOperationException("ctx." + key + " cannot be assigned" + (props == null ? " (only a filter's ctx keeps values)" : ""));
        }
        props.put(key, value);
    }

    @Override
    public boolean removeMember(String key) {
        return props != null && props.remove(key) != null;
    }

    private JsSpan span() {
        if (span == null) span = new JsSpan(stream.span());
        return span;
    }

    private Object httpCall(Value[] a) {
        if (a.length < 1 || !a[0].isString()) throw new IllegalArgumentException("httpCall(cluster, request): cluster must be a string");
        String cluster = a[0].asString();
        Value r = a.length > 1 && !a[1].isNull() ? a[1] : null;
        ClusterCalls.Request req = new ClusterCalls.Request(
                r == null ? "GET" : JsValues.string(r, "method", "GET"),
                r == null ? "/" : JsValues.string(r, "path", "/"),
                r == null ? Map.of() : withoutNulls(JsValues.stringMap(r, "headers")),
                r == null ? "" : JsValues.string(r, "body", ""),
                timeout(r));
        ScriptContext sc = shared.sc;
        return sc.newPromise((ProxyExecutable) args -> {
            Value resolve = args[0];
            Value reject = args[1];
            if (shared.smoke) {
                // Smoke calls never touch the network: a synthetic 503 stands in for the upstream.
                resolve.execute(responseObject(new ClusterCalls.Response(503, Map.of(), "")));
                return null;
            }
            CompletionStage<ClusterCalls.Response> stage;
            try {
                stage = shared.unit.host.calls.call(cluster, req, worker);
            } catch (RuntimeException e) {
                reject.execute(String.valueOf(e.getMessage()));
                return null;
            }
            stage.whenComplete((resp, err) -> worker.executor().execute(() -> settle(resolve, reject, resp, err)));
            return null;
        });
    }

    private void settle(Value resolve, Value reject, ClusterCalls.Response resp, Throwable err) {
        ScriptContext sc = shared.sc;
        if (sc.isClosed()) return;
        try {
            if (err != null) {
                Throwable cause = err instanceof java.util.concurrent.CompletionException && err.getCause() != null ? err.getCause() : err;
                sc.execute(reject, "httpCall failed: " + cause.getMessage());
            } else {
                sc.execute(resolve, responseObject(resp));
            }
        } catch (RuntimeException e) {
            // The continuation broke (e.g. ran past the time limit): the stream must not hang.
            // Its filter reports the failure; only an orphaned continuation is reported here.
            CompletableFuture<?> p = pending;
            if (p == null || !p.completeExceptionally(e)) shared.unit.reportFailure("httpCall continuation", e);
        }
    }

    private Duration timeout(Value r) {
        Integer ms = r == null ? null : JsValues.integer(r, "timeoutMs");
        return ms == null ? shared.unit.host.httpCallTimeout : Duration.ofMillis(ms);
    }

    private static Map<String, String> withoutNulls(Map<String, String> m) {
        Map<String, String> out = new HashMap<>();
        m.forEach((k, v) -> {
            if (v != null) out.put(k, v);
        });
        return out;
    }

    private static ProxyObject responseObject(ClusterCalls.Response resp) {
        Map<String, Object> headers = new HashMap<>();
        resp.headers().forEach((k, v) -> headers.put(k.toLowerCase(java.util.Locale.ROOT), v));
        Map<String, Object> m = new HashMap<>();
        m.put("status", resp.status());
        m.put("headers", ProxyObject.fromMap(headers));
        m.put("body", resp.body());
        return ProxyObject.fromMap(m);
    }
}
