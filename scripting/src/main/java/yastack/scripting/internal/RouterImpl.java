package yastack.scripting.internal;

import java.nio.file.Path;
import org.graalvm.polyglot.Value;
import yastack.api.HttpRequestHead;
import yastack.api.HttpStream;
import yastack.api.LocalReply;
import yastack.api.RouteDecision;
import yastack.scripting.ScriptRouter;

/** A router script: {@code export function route(req, ctx)}. */
public final class RouterImpl implements ScriptRouter {
    static final ScriptKind KIND = new ScriptKind() {
        @Override
        public String describe() {
            return "router";
        }

        @Override
        public void checkExports(ScriptContext sc) {
            if (sc.function("route") == null) {
                throw new yastack.scripting.ScriptLoadException("a router script must export function route(req, ctx)");
            }
        }

        @Override
        public void smoke(ScriptUnit unit, ScriptContext sc) {
            JsCtx ctx = new JsCtx(new JsCtx.Shared(unit, sc, true));
            Synthetic.Request req = Synthetic.smokeRequest();
            Value r = sc.execute(sc.function("route"), new JsRequest(Synthetic.stream("smoke", Synthetic.inlineWorker()), req), ctx);
            sc.call(() -> Decisions.route(r, req));
        }
    };

    private final ScriptUnit unit;

    public RouterImpl(HostServices host, String name, Path file) {
        this.unit = new ScriptUnit(host, name, file, KIND, "{}");
        unit.loadInitial();
    }

    public ScriptUnit unit() {
        return unit;
    }

    @Override
    public RouteDecision route(HttpStream stream, HttpRequestHead request) {
        try {
            ScriptContext sc = unit.enter();
            JsCtx ctx = (JsCtx) sc.api();
            if (ctx == null) {
                ctx = new JsCtx(new JsCtx.Shared(unit, sc, false));
                sc.api(ctx);
            }
            Value fn = sc.function("route");
            Value r = sc.execute(fn, new JsRequest(stream, request), ctx);
            return sc.call(() -> Decisions.route(r, request));
        } catch (RuntimeException e) {
            unit.reportFailure("route()", e);
            return RouteDecision.respond(LocalReply.of(500, "script " + unit.name() + " failed\n"));
        }
    }

    @Override
    public String name() {
        return unit.name();
    }

    @Override
    public Path file() {
        return unit.file();
    }

    @Override
    public long generation() {
        return unit.generation();
    }

    @Override
    public void close() {
        unit.close();
    }
}
