package yastack.proxy.bench;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import yastack.api.HttpRequestHead;
import yastack.api.LoadBalancer;
import yastack.api.LoadBalancerFactory;
import yastack.api.PluginConfig;
import yastack.api.RouteDecision;
import yastack.api.Router;
import yastack.api.config.Cluster;
import yastack.api.config.Endpoint;
import yastack.api.config.HeaderMatcher;
import yastack.api.config.LbPolicy;
import yastack.api.config.LbPolicyKind;
import yastack.api.config.Route;
import yastack.api.config.RouteAction;
import yastack.api.config.RouteConfig;
import yastack.api.config.RouteMatch;
import yastack.api.config.VirtualHost;
import yastack.api.testkit.TestContext;
import yastack.api.testkit.TestStream;
import yastack.kernel.plugin.PluginLoader;
import yastack.kernel.plugin.PluginRegistry;
import yastack.plugin.lb.MaglevFactory;
import yastack.plugin.lb.RoundRobinFactory;
import yastack.plugin.router.RouteTableFactory;
import yastack.proxy.BenchAccess;
import yastack.proxy.cluster.Balanced;
import yastack.proxy.cluster.ClusterRuntime;
import yastack.proxy.cluster.PickContext;
import yastack.proxy.cluster.WorkerHosts;

/**
 * What it costs that routing and balancing are plugins: the built-in route table and
 * balancers called directly (as kernel code was) against the same objects created through
 * the plugin registry (the engine's path: the SPI, a guard that contains failures). Per
 * request the engine does one route and one pick; the proxy's own objects (the request
 * head, the worker's host set and pick context) are the ones the engine uses. Run with
 * {@code -prof gc}: a route and a pick allocate nothing.
 *
 * <pre>java -cp kernel/proxy/target/test-classes:kernel/proxy/target/classes:$(cat cp.txt) org.openjdk.jmh.Main PolicyBench -prof gc</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
public class PolicyBench {
    @Param({"round_robin", "maglev"})
    public String lbPolicy;

    private Router directRouter;
    private Router pluginRouter;
    private LoadBalancer directLb;
    private LoadBalancer pluginLb;
    private WorkerHosts hosts;
    private PickContext pick;
    private TestStream stream;
    private HttpRequestHead request;
    private Balanced target;

    @Setup
    public void setup() throws Exception {
        RouteConfig routes = RouteConfig.newBuilder()
                .addVirtualHosts(VirtualHost.newBuilder().setName("admin").addDomains("admin.example.com")
                        .addRoutes(route("/", "admin")))
                .addVirtualHosts(VirtualHost.newBuilder().setName("all").addDomains("*")
                        .addRoutes(Route.newBuilder().setMatch(RouteMatch.newBuilder().setPrefix("/api/")
                                .addHeaders(HeaderMatcher.newBuilder().setName("x-canary").setExact("1")))
                                .setRoute(RouteAction.newBuilder().setCluster("canary")))
                        .addRoutes(route("/static/", "static"))
                        .addRoutes(route("/api/", "api"))
                        .addRoutes(route("/", "web")))
                .build();
        PluginRegistry registry = PluginLoader.load(null, ModuleLayer.boot());
        PluginConfig routeConfig = PluginConfig.of(routes, "listeners[0].http.route_config");
        directRouter = new RouteTableFactory().create(routeConfig, new TestContext("route-table"));
        pluginRouter = registry.createRouter("route-table", routeConfig, "listeners[0].http.route_config");

        Cluster.Builder c = Cluster.newBuilder().setName("api")
                .setLbPolicy(LbPolicy.newBuilder().setKind(LbPolicyKind.valueOf(lbPolicy.toUpperCase())));
        for (int i = 1; i <= 8; i++) c.addEndpoints(Endpoint.newBuilder().setAddress("10.0.0." + i).setPort(8080));
        ClusterRuntime cluster = new ClusterRuntime(c.build());
        LoadBalancerFactory direct = lbPolicy.equals("maglev") ? new MaglevFactory() : new RoundRobinFactory();
        directLb = direct.create(PluginConfig.empty(), new TestContext(lbPolicy));
        pluginLb = registry.createLoadBalancer(lbPolicy, Struct.getDefaultInstance(), "clusters[0].lb_policy");
        hosts = new WorkerHosts(cluster);
        pick = new PickContext(cluster);

        stream = new TestStream();
        HttpRequest netty = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/api/users?id=42");
        netty.headers().set("host", "www.example.com").set("user-agent", "wrk").set("accept", "*/*");
        request = BenchAccess.head(netty);
        target = BenchAccess.balanced(request, "192.0.2.7");
        if (!(directRouter.route(stream, request) instanceof RouteDecision.ToCluster d) || !d.cluster().equals("api")) {
            throw new IllegalStateException("the bench request must route to api");
        }
    }

    private static Route route(String prefix, String cluster) {
        return Route.newBuilder().setMatch(RouteMatch.newBuilder().setPrefix(prefix))
                .setRoute(RouteAction.newBuilder().setCluster(cluster)).build();
    }

    @Benchmark
    public RouteDecision routeDirect() {
        return directRouter.route(stream, request);
    }

    @Benchmark
    public RouteDecision routeAsPlugin() {
        return pluginRouter.route(stream, request);
    }

    @Benchmark
    public int pickDirect() {
        hosts.refresh(System.nanoTime(), -1);
        return directLb.choose(hosts, pick.reset(target, null));
    }

    @Benchmark
    public int pickAsPlugin() {
        hosts.refresh(System.nanoTime(), -1);
        return pluginLb.choose(hosts, pick.reset(target, null));
    }
}
