package yastack.scripting.internal;

import java.nio.file.Path;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.proxy.ProxyArray;
import org.graalvm.polyglot.proxy.ProxyExecutable;
import org.graalvm.polyglot.proxy.ProxyObject;
import yastack.api.FlowKey;
import yastack.api.SteeringPolicy;
import yastack.api.WorkerSet;
import yastack.api.testkit.TestWorkerSet;

/**
 * A steering script: {@code export function steer(flow, workers)} returning a
 * worker index, run for every flow the distributor asks about. The distributor
 * remembers each flow's worker in its own table and asks only for new flows, so
 * the policy keeps no flow state. An answer that is not a live worker, an
 * exception or a timeout falls back to a hash of the flow over the live workers
 * (and is counted).
 */
public final class SteeringImpl extends UnitHandle implements SteeringPolicy {
    static final ScriptKind KIND = new ScriptKind() {
        @Override
        public String describe() {
            return "steering policy";
        }

        @Override
        public void checkExports(ScriptContext sc) {
            if (sc.function("steer") == null) {
                throw new ScriptLoadException("a steering script must export function steer(flow, workers)");
            }
        }

        @Override
        public void smoke(ScriptUnit unit, ScriptContext sc) {
            FlowKey flow = new FlowKey.Ipv4(6, 0x0A000001, 40000, 0x0A000002, 80);
            WorkerSet two = new TestWorkerSet(2);
            Value r = sc.execute(sc.function("steer"), new JsFlow(flow), new JsWorkers(two), new JsCtx(new JsCtx.Shared(unit, sc, true)));
            sc.call(() -> toIndex(r));
        }
    };

    private final yastack.api.PluginStats.Counter invalid;
    private final yastack.api.PluginStats.Counter calls;

    public SteeringImpl(HostServices host, String name, Path file, String configJson) {
        super(new ScriptUnit(host, name, file, KIND, configJson));
        this.invalid = host.counter("script." + name + ".invalid_worker");
        this.calls = host.counter("script." + name + ".new_flows");
    }

    private static int toIndex(Value r) {
        if (r == null || !r.isNumber() || !r.fitsInInt()) throw new IllegalArgumentException("steer() must return a worker index, got " + r);
        return r.asInt();
    }

    @Override
    public int selectWorker(FlowKey flow, WorkerSet workers) {
        calls.inc();
        try {
            ScriptContext sc = unit.enter();
            JsCtx ctx = (JsCtx) sc.api();
            if (ctx == null) {
                ctx = new JsCtx(new JsCtx.Shared(unit, sc, false));
                sc.api(ctx);
            }
            Value r = sc.execute(sc.function("steer"), new JsFlow(flow), new JsWorkers(workers), ctx);
            int w = sc.call(() -> toIndex(r));
            if (w >= 0 && w < workers.size() && workers.isLive(w)) return w;
            invalid.inc();
        } catch (RuntimeException e) {
            unit.reportFailure("steer()", e);
        }
        return fallback(flow, workers);
    }

    private static int fallback(FlowKey flow, WorkerSet workers) {
        int live = workers.liveCount();
        if (live == 0) return 0;
        int h = flow.sourceAddress() ^ flow.destinationAddress() ^ (flow.sourcePort() * 31 + flow.destinationPort()) ^ flow.protocol();
        h ^= h >>> 16;
        return workers.liveWorker(Math.floorMod(h, live));
    }

    /** {@code flow}: the 5-tuple as the script sees it. */
    static final class JsFlow implements ProxyObject {
        private static final Object KEYS = ProxyArray.fromArray("protocol", "srcAddr", "srcPort", "dstAddr", "dstPort", "srcIp", "dstIp", "hash");
        private final FlowKey flow;

        JsFlow(FlowKey flow) {
            this.flow = flow;
        }

        @Override
        public Object getMember(String key) {
            return switch (key) {
                case "protocol" -> flow.protocol() == 6 ? "tcp" : flow.protocol() == 17 ? "udp" : Integer.toString(flow.protocol());
                case "srcAddr" -> dotted(flow.sourceAddress());
                case "dstAddr" -> dotted(flow.destinationAddress());
                case "srcPort" -> flow.sourcePort();
                case "dstPort" -> flow.destinationPort();
                case "srcIp" -> flow.sourceAddress() & 0xffffffffL;
                case "dstIp" -> flow.destinationAddress() & 0xffffffffL;
                // Symmetric: both directions of a connection hash alike.
                case "hash" -> (flow.sourceAddress() ^ flow.destinationAddress() ^ (flow.sourcePort() ^ flow.destinationPort()) * 0x9E3779B1) & 0x7fffffff;
                default -> null;
            };
        }

        private static String dotted(int a) {
            return ((a >>> 24) & 0xff) + "." + ((a >>> 16) & 0xff) + "." + ((a >>> 8) & 0xff) + "." + (a & 0xff);
        }

        @Override
        public Object getMemberKeys() {
            return KEYS;
        }

        @Override
        public boolean hasMember(String key) {
            return getMember(key) != null;
        }

        @Override
        public void putMember(String key, Value value) {
            throw new UnsupportedOperationException("flow is read-only");
        }
    }

    /** {@code workers}: count, liveness, and the live indexes. */
    static final class JsWorkers implements ProxyObject {
        private static final Object KEYS = ProxyArray.fromArray("size", "liveCount", "live", "isLive");
        private final WorkerSet set;

        JsWorkers(WorkerSet set) {
            this.set = set;
        }

        @Override
        public Object getMember(String key) {
            return switch (key) {
                case "size" -> set.size();
                case "liveCount" -> set.liveCount();
                case "live" -> {
                    Object[] live = new Object[set.liveCount()];
                    for (int i = 0; i < live.length; i++) live[i] = set.liveWorker(i);
                    yield ProxyArray.fromArray(live);
                }
                case "isLive" -> (ProxyExecutable) a -> set.isLive(a[0].asInt());
                default -> null;
            };
        }

        @Override
        public Object getMemberKeys() {
            return KEYS;
        }

        @Override
        public boolean hasMember(String key) {
            return getMember(key) != null;
        }

        @Override
        public void putMember(String key, Value value) {
            throw new UnsupportedOperationException("workers is read-only");
        }
    }
}
