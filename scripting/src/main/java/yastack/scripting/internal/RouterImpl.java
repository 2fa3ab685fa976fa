package yastack.scripting.internal;

import java.nio.file.Path;
import org.graalvm.polyglot.Value;
import yastack.api.HttpRequestHead;
import yastack.api.HttpStream;
import yastack.api.LocalReply;
import yastack.api.RouteDecision;
import yastack.api.Router;

/** A router script: {@code export function route(req, ctx)}. */
public final class RouterImpl extends UnitHandle implements Router {
    static final ScriptKind KIND = new ScriptKind() {
        @Override
        public String describe() {
            return "router";
        }

        @Override
        public void checkExports(ScriptContext sc) {
            if (sc.function("route") == null) {
                throw new ScriptLoadException("a router script must export function route(req, ctx)");
            }
        }

        @Override
        public void smoke(ScriptUnit unit, ScriptContext sc) {
            JsCtx ctx = new JsCtx(new JsCtx.Shared(unit, sc, true));
            HttpRequestHead req = ScriptKind.smokeRequest();
            Value r = sc.execute(sc.function("route"), new JsRequest(ScriptKind.smokeStream(), req), ctx);
            sc.call(() -> Decisions.route(r, req));
        }
    };

    /**
     * Wraps the script's route() so that answers cross the polyglot boundary
     * cheaply: {@code {cluster: "x"}} comes back as the bare string, and a
     * cluster answer with rewrites is handed to Java in one call with every
     * field as an argument, instead of Java probing a dozen optional members.
     * Local replies and malformed answers come back as they are.
     */
    private static final org.graalvm.polyglot.Source ADAPTER = org.graalvm.polyglot.Source.newBuilder("js", """
            (function (route, forward, ctx) {
              return function (req) {
                const r = route(req, ctx);
                if (r !== null && typeof r === 'object' && typeof r.cluster === 'string' && r.status === undefined) {
                  for (const k in r) {
                    if (k !== 'cluster') {
                      forward(r.cluster, r.path, r.prefix, r.prefixRewrite, r.headers, r.removeHeaders, r.timeoutMs, r.routeName);
                      return true;
                    }
                  }
                  return r.cluster;
                }
                return r;
              };
            })
            """, "yastack-route-adapter.js").cached(true).buildLiteral();


    public RouterImpl(HostServices host, String name, Path file, String configJson) {
        super(new ScriptUnit(host, name, file, KIND, configJson));
    }

    @Override
    public RouteDecision route(HttpStream stream, HttpRequestHead request) {
        try {
            ScriptContext sc = unit.enter();
            Bound b = (Bound) sc.api();
            if (b == null) {
                Bound nb = new Bound(new JsCtx(new JsCtx.Shared(unit, sc, false)));
                nb.route = sc.call(() -> sc.eval(ADAPTER).execute(sc.function("route"), (org.graalvm.polyglot.proxy.ProxyExecutable) nb::forward, nb.ctx));
                sc.api(nb);
                b = nb;
            }
            Bound bound = b;
            return sc.call(() -> {
                bound.request = request;
                bound.forwarded = null;
                Value r = bound.route.execute(new JsRequest(stream, request));
                bound.request = null;
                if (r.isString()) return bound.toCluster(r.asString());
                if (r.isBoolean() && bound.forwarded != null) return bound.forwarded;
                return Decisions.route(r, request);
            });
        } catch (RuntimeException e) {
            unit.reportFailure("route()", e);
            return RouteDecision.respond(LocalReply.of(500, "script " + unit.name() + " failed\n"));
        }
    }

    /** Per-context state: the ctx object, the wrapped route function, and decisions already made. */
    private static final class Bound {
        final JsCtx ctx;
        Value route;
        HttpRequestHead request;
        RouteDecision forwarded;
        private final java.util.HashMap<String, RouteDecision> byCluster = new java.util.HashMap<>();

        Bound(JsCtx ctx) {
            this.ctx = ctx;
        }

        /** forward(cluster, path, prefix, prefixRewrite, headers, removeHeaders, timeoutMs, routeName) from the adapter. */
        Object forward(Value[] a) {
            forwarded = Decisions.forward(request, a[0].asString(), opt(a[1], "path"), opt(a[2], "prefix"), opt(a[3], "prefixRewrite"),
                    a[4], a[5], a[6], opt(a[7], "routeName"));
            return null;
        }

        private static String opt(Value v, String name) {
            if (v == null || v.isNull()) return null;
            if (!v.isString()) throw new IllegalArgumentException("'" + name + "' must be a string, got " + v);
            return v.asString();
        }

        RouteDecision toCluster(String cluster) {
            RouteDecision d = byCluster.get(cluster);
            if (d == null) {
                if (cluster.isEmpty()) throw new IllegalArgumentException("route() returned an empty cluster name");
                d = RouteDecision.toCluster(cluster);
                if (byCluster.size() < 1024) byCluster.put(cluster, d);
            }
            return d;
        }
    }
}
