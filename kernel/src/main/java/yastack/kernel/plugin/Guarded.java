package yastack.kernel.plugin;

import yastack.api.AccessLogger;
import yastack.api.FlowKey;
import yastack.api.HttpRequestHead;
import yastack.api.HostSet;
import yastack.api.HttpStream;
import yastack.api.LoadBalancer;
import yastack.api.LocalReply;
import yastack.api.RouteDecision;
import yastack.api.Router;
import yastack.api.SteeringPolicy;
import yastack.api.StreamSummary;
import yastack.api.WorkerSet;

/**
 * Wrappers that keep failures of plugin code inside the plugin: an exception
 * or an impossible answer is reported to {@link PluginErrors} and replaced by
 * a safe answer, so the proxy never sees a plugin's exception.
 */
final class Guarded {
    private Guarded() {}

    /** A router whose failures become a 500 local reply; a {@code null} decision counts as a failure. */
    static Router router(String name, Router r, PluginErrors errors) {
        return new Router() {
            @Override
            public RouteDecision route(HttpStream stream, HttpRequestHead request) {
                try {
                    RouteDecision d = r.route(stream, request);
                    if (d != null) return d;
                    errors.report(name, "route", new NullPointerException("router returned null"));
                } catch (RuntimeException | LinkageError e) {
                    errors.report(name, "route", e);
                }
                return RouteDecision.respond(LocalReply.of(500, "router " + name + " failed\n"));
            }

            @Override
            public String peekRouteName(HttpStream stream, HttpRequestHead request) {
                try {
                    String n = r.peekRouteName(stream, request);
                    return n == null ? "" : n;
                } catch (RuntimeException | LinkageError e) {
                    errors.report(name, "peekRouteName", e);
                    return "";
                }
            }

            @Override
            public void close() {
                try {
                    r.close();
                } catch (RuntimeException | LinkageError e) {
                    errors.report(name, "close", e);
                }
            }
        };
    }

    /** A load balancer whose failures and answers that are out of range or not usable become -1 (no endpoint: 503). */
    static LoadBalancer loadBalancer(String name, LoadBalancer lb, PluginErrors errors) {
        return new LoadBalancer() {
            @Override
            public int choose(HostSet hosts, LbContext context) {
                try {
                    int i = lb.choose(hosts, context);
                    if (i == NO_HOST || (i >= 0 && i < hosts.size() && hosts.usable(i))) return i;
                    errors.report(name, "choose", new IndexOutOfBoundsException("chose " + i + " of " + hosts.size()
                            + " endpoints, which is not a usable one"));
                } catch (RuntimeException | LinkageError e) {
                    errors.report(name, "choose", e);
                }
                return NO_HOST;
            }

            @Override
            public void close() {
                try {
                    lb.close();
                } catch (RuntimeException | LinkageError e) {
                    errors.report(name, "close", e);
                }
            }
        };
    }

    /** A steering policy whose failures and non-live answers fall back to the first live worker (or 0). */
    static SteeringPolicy steering(String name, SteeringPolicy p, PluginErrors errors) {
        return new SteeringPolicy() {
            @Override
            public int selectWorker(FlowKey flow, WorkerSet workers) {
                try {
                    int w = p.selectWorker(flow, workers);
                    if (w >= 0 && w < workers.size()) return w;
                    errors.report(name, "selectWorker", new IndexOutOfBoundsException("chose worker " + w + " of " + workers.size()));
                } catch (RuntimeException | LinkageError e) {
                    errors.report(name, "selectWorker", e);
                }
                return workers.liveCount() > 0 ? workers.liveWorker(0) : 0;
            }

            @Override
            public void onWorkerDrain(int worker) {
                try {
                    p.onWorkerDrain(worker);
                } catch (RuntimeException | LinkageError e) {
                    errors.report(name, "onWorkerDrain", e);
                }
            }

            @Override
            public void onWorkerUndrain(int worker) {
                try {
                    p.onWorkerUndrain(worker);
                } catch (RuntimeException | LinkageError e) {
                    errors.report(name, "onWorkerUndrain", e);
                }
            }

            @Override
            public void onFlowClosed(FlowKey flow) {
                try {
                    p.onFlowClosed(flow);
                } catch (RuntimeException | LinkageError e) {
                    errors.report(name, "onFlowClosed", e);
                }
            }

            @Override
            public void close() {
                try {
                    p.close();
                } catch (RuntimeException | LinkageError e) {
                    errors.report(name, "close", e);
                }
            }
        };
    }

    /** An access logger whose failures are counted and logged; the stream is never affected. */
    static AccessLogger accessLogger(String name, AccessLogger logger, PluginErrors errors) {
        return new AccessLogger() {
            @Override
            public void log(HttpStream stream, StreamSummary summary) {
                try {
                    logger.log(stream, summary);
                } catch (RuntimeException | LinkageError e) {
                    errors.report(name, "log", e);
                }
            }

            @Override
            public void reopenLogs() {
                try {
                    logger.reopenLogs();
                } catch (RuntimeException | LinkageError e) {
                    errors.report(name, "reopen", e);
                }
            }

            @Override
            public void close() {
                try {
                    logger.close();
                } catch (RuntimeException | LinkageError e) {
                    errors.report(name, "close", e);
                }
            }
        };
    }
}
