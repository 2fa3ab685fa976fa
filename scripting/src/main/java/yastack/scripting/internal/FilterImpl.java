package yastack.scripting.internal;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.proxy.ProxyExecutable;
import yastack.api.ConfiguredHttpFilter;
import yastack.api.FilterResult;
import yastack.api.HttpFilter;
import yastack.api.HttpRequestHead;
import yastack.api.HttpResponseHead;
import yastack.api.HttpStream;
import yastack.api.LocalReply;
import yastack.api.StreamSummary;
import yastack.api.testkit.TestResponse;

/**
 * An HTTP filter script: {@code onRequest(req, ctx)} and/or
 * {@code onResponse(res, ctx)}, each returning nothing (continue), a local
 * reply {@code {status, body, headers}}, or a promise of either. A stream stays
 * on the script version it started on, even if a reload happens meanwhile.
 */
public final class FilterImpl extends UnitHandle implements ConfiguredHttpFilter {
    static final ScriptKind KIND = new ScriptKind() {
        @Override
        public String describe() {
            return "HTTP filter";
        }

        @Override
        public void checkExports(ScriptContext sc) {
            if (sc.function("onRequest") == null && sc.function("onResponse") == null) {
                throw new ScriptLoadException("an HTTP filter script must export function onRequest(req, ctx) and/or onResponse(res, ctx)");
            }
        }

        @Override
        public void smoke(ScriptUnit unit, ScriptContext sc) {
            HttpStream stream = ScriptKind.smokeStream();
            JsCtx ctx = new JsCtx(new JsCtx.Shared(unit, sc, true), stream, true);
            Value onRequest = sc.function("onRequest");
            if (onRequest != null) {
                settleNow(sc, ctx, sc.execute(onRequest, new JsRequest(stream, ScriptKind.smokeRequest()), ctx), "onRequest");
            }
            Value onResponse = sc.function("onResponse");
            if (onResponse != null) {
                HttpResponseHead res = new TestResponse(200).header("content-type", "text/plain");
                settleNow(sc, ctx, sc.execute(onResponse, new JsResponse(res), ctx), "onResponse");
            }
        }

        /** Smoke results must settle at once (httpCall resolves synchronously there) and be well-formed. */
        private void settleNow(ScriptContext sc, JsCtx ctx, Value r, String where) {
            CompletableFuture<LocalReply> f = new CompletableFuture<>();
            decide(sc, ctx, r, f);
            if (!f.isDone()) throw new ScriptLoadException(where + "() did not settle during the smoke call");
            f.join();
        }
    };


    public FilterImpl(HostServices host, String name, Path file, String configJson) {
        super(new ScriptUnit(host, name, file, KIND, configJson));
    }

    /**
     * Completes {@code out} with the reply {@code r} asks for (null = continue),
     * waiting for it if {@code r} is a promise.
     */
    private static void decide(ScriptContext sc, JsCtx ctx, Value r, CompletableFuture<LocalReply> out) {
        sc.call(() -> {
            if (r != null && !r.isNull() && r.hasMembers() && JsValues.member(r, "then") != null && r.getMember("then").canExecute()) {
                ctx.pending = out;
                ProxyExecutable ok = a -> {
                    try {
                        out.complete(Decisions.filterReply(a.length > 0 ? a[0] : null));
                    } catch (RuntimeException e) {
                        out.completeExceptionally(e);
                    }
                    return null;
                };
                ProxyExecutable fail = a -> {
                    out.completeExceptionally(new ScriptRejection(a.length > 0 ? a[0] : null));
                    return null;
                };
                r.invokeMember("then", ok, fail);
            } else {
                out.complete(Decisions.filterReply(r));
            }
            return null;
        });
    }

    @Override
    public HttpFilter newStreamFilter(HttpStream stream) {
        ScriptContext sc = unit.enter();
        JsCtx.Shared shared = (JsCtx.Shared) sc.api();
        if (shared == null) {
            shared = new JsCtx.Shared(unit, sc, false);
            sc.api(shared);
        }
        sc.retain();
        return new StreamFilter(sc, new JsCtx(shared, stream, true));
    }

    /** The per-stream part: pinned to one context until the stream completes. */
    private final class StreamFilter implements HttpFilter {
        private final ScriptContext sc;
        private final JsCtx ctx;
        private boolean released;

        StreamFilter(ScriptContext sc, JsCtx ctx) {
            this.sc = sc;
            this.ctx = ctx;
        }

        @Override
        public FilterResult onRequestHeaders(HttpStream stream, HttpRequestHead request) {
            return run("onRequest", new JsRequest(stream, request));
        }

        @Override
        public FilterResult onResponseHeaders(HttpStream stream, HttpResponseHead response) {
            return run("onResponse", new JsResponse(response));
        }

        private FilterResult run(String callback, Object arg) {
            CompletableFuture<LocalReply> out = new CompletableFuture<>();
            try {
                Value fn = sc.function(callback);
                if (fn == null) return FilterResult.proceed();
                Value r = sc.execute(fn, arg, ctx);
                decide(sc, ctx, r, out);
            } catch (RuntimeException e) {
                return failed(callback + "()", e);
            }
            if (out.isDone()) {
                try {
                    return toResult(out.join());
                } catch (RuntimeException e) {
                    return failed(callback + "()", e.getCause() != null ? e.getCause() : e);
                }
            }
            return FilterResult.async(out.handle((reply, err) -> {
                if (err == null) return toResult(reply);
                return failed(callback + "() (async)", err.getCause() != null && err instanceof java.util.concurrent.CompletionException ? err.getCause() : err);
            }));
        }

        private FilterResult failed(String where, Throwable e) {
            unit.reportFailure(where, e);
            return FilterResult.respond(LocalReply.of(500, "script " + unit.name() + " failed\n"));
        }

        private FilterResult toResult(LocalReply reply) {
            return reply == null ? FilterResult.proceed() : FilterResult.respond(reply);
        }

        @Override
        public void onComplete(HttpStream stream, StreamSummary summary) {
            if (released) return;
            released = true;
            ctx.pending = null;
            sc.release();
        }
    }
}
