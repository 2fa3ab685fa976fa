package yastack.kernel.plugin;

import java.util.Map;

/** Java sources of the plugins the loader tests build into jars. */
final class PluginSources {
    private PluginSources() {}

    static final String SERVICES = "META-INF/services/";

    /** Modular jar {@code test.deny}: filter {@code deny} (stops and responds) and filter {@code delay} (async via the worker timer). */
    static Map<String, String> denyAndDelay() {
        return Map.of(
                "module-info.java", """
                        module test.deny {
                            requires yastack.api;
                            provides yastack.api.HttpFilterFactory with test.deny.DenyFactory, test.deny.DelayFactory;
                        }
                        """,
                "test/deny/DenyFactory.java", """
                        package test.deny;
                        import yastack.api.*;
                        public final class DenyFactory implements HttpFilterFactory {
                            public String name() { return "deny"; }
                            public String description() { return "403 when a header is present"; }
                            public ConfiguredHttpFilter create(PluginConfig config, PluginContext ctx) throws PluginConfigException {
                                config.requireOnly("header");
                                String header = config.string("header", "x-deny");
                                PluginStats.Counter denied = ctx.stats().counter("denied");
                                return stream -> new HttpFilter() {
                                    @Override public FilterResult onRequestHeaders(HttpStream s, HttpRequestHead r) {
                                        if (!r.headers().contains(header)) return FilterResult.proceed();
                                        denied.inc();
                                        return FilterResult.respond(LocalReply.of(403, "denied by " + ctx.pluginName() + "\\n"));
                                    }
                                };
                            }
                        }
                        """,
                "test/deny/DelayFactory.java", """
                        package test.deny;
                        import java.util.concurrent.CompletableFuture;
                        import yastack.api.*;
                        public final class DelayFactory implements HttpFilterFactory {
                            public String name() { return "delay"; }
                            public ConfiguredHttpFilter create(PluginConfig config, PluginContext ctx) throws PluginConfigException {
                                java.time.Duration d = config.requireDuration("delay");
                                return stream -> new HttpFilter() {
                                    @Override public FilterResult onRequestHeaders(HttpStream s, HttpRequestHead r) {
                                        CompletableFuture<FilterResult> later = new CompletableFuture<>();
                                        s.worker().schedule(d, () -> {
                                            r.headers().set("x-delayed", d.toMillis() + "ms");
                                            later.complete(FilterResult.proceed());
                                        });
                                        return FilterResult.async(later);
                                    }
                                };
                            }
                        }
                        """);
    }

    /** Plain jar (automatic module) with router {@code header-router} registered in META-INF/services. */
    static Map<String, String> headerRouter() {
        return Map.of("plain/router/HeaderRouterFactory.java", """
                package plain.router;
                import yastack.api.*;
                public class HeaderRouterFactory implements RouterFactory {
                    public String name() { return "header-router"; }
                    public Router create(PluginConfig config, PluginContext ctx) throws PluginConfigException {
                        String fallback = config.requireString("default_cluster");
                        java.util.Map<String, String> prefixes = config.stringMap("prefixes");
                        return (stream, request) -> {
                            String c = request.headers().get("x-cluster");
                            if (c != null) return RouteDecision.toCluster(c).withRouteName("by-header");
                            for (var e : prefixes.entrySet()) {
                                if (request.path().startsWith(e.getKey())) {
                                    request.setUri(request.uri().substring(e.getKey().length() - 1));
                                    return RouteDecision.toCluster(e.getValue());
                                }
                            }
                            if (request.path().equals("/nowhere")) return RouteDecision.noRoute();
                            return RouteDecision.toCluster(fallback);
                        };
                    }
                }
                """);
    }

    static Map<String, String> headerRouterServices() {
        return Map.of(SERVICES + "yastack.api.RouterFactory", "plain.router.HeaderRouterFactory\n");
    }

    /** Modular jar {@code test.lb}: LB {@code least-active}. */
    static Map<String, String> leastActive() {
        return Map.of(
                "module-info.java", """
                        module test.lb {
                            requires yastack.api;
                            provides yastack.api.LoadBalancerFactory with test.lb.LeastActiveFactory;
                        }
                        """,
                "test/lb/LeastActiveFactory.java", """
                        package test.lb;
                        import yastack.api.*;
                        public final class LeastActiveFactory implements LoadBalancerFactory {
                            public String name() { return "least-active"; }
                            public LoadBalancer create(PluginConfig config, PluginContext ctx) {
                                return (healthy, lb) -> {
                                    int best = 0;
                                    for (int i = 1; i < healthy.size(); i++) {
                                        if (healthy.get(i).activeRequests() < healthy.get(best).activeRequests()) best = i;
                                    }
                                    return best;
                                };
                            }
                        }
                        """);
    }

    /** Library module {@code greeting} whose text depends on its version. */
    static Map<String, String> greeting(String text) {
        return Map.of(
                "module-info.java", "module greeting { exports greeting; }\n",
                "greeting/Greeting.java", "package greeting;\npublic final class Greeting { public static String text() { return \"" + text + "\"; } }\n");
    }

    /** Modular filter {@code name} that copies the greeting library's text into header {@code x-greeting}. */
    static Map<String, String> greetingFilter(String name) {
        String pkg = "test." + name;
        return Map.of(
                "module-info.java", "module " + pkg + " { requires yastack.api; requires greeting; provides yastack.api.HttpFilterFactory with "
                        + pkg + ".F; }\n",
                pkg.replace('.', '/') + "/F.java", """
                        package %s;
                        import yastack.api.*;
                        public final class F implements HttpFilterFactory {
                            public String name() { return "%s"; }
                            public ConfiguredHttpFilter create(PluginConfig config, PluginContext ctx) {
                                return stream -> new HttpFilter() {
                                    @Override public FilterResult onRequestHeaders(HttpStream s, HttpRequestHead r) {
                                        r.headers().add("x-greeting", greeting.Greeting.text());
                                        return FilterResult.proceed();
                                    }
                                };
                            }
                        }
                        """.formatted(pkg, name));
    }

    /** Modular filter {@code boom} that throws on every request. */
    static Map<String, String> boom() {
        return Map.of(
                "module-info.java", "module test.boom { requires yastack.api; provides yastack.api.HttpFilterFactory with test.boom.Boom; }\n",
                "test/boom/Boom.java", """
                        package test.boom;
                        import yastack.api.*;
                        public final class Boom implements HttpFilterFactory {
                            public String name() { return "boom"; }
                            public ConfiguredHttpFilter create(PluginConfig config, PluginContext ctx) {
                                return stream -> new HttpFilter() {
                                    @Override public FilterResult onRequestHeaders(HttpStream s, HttpRequestHead r) {
                                        throw new IllegalStateException("boom at run time");
                                    }
                                };
                            }
                        }
                        """);
    }

    /** A module named {@code name} providing filter {@code filterName}. */
    static Map<String, String> namedFilter(String module, String filterName) {
        String pkg = module;
        return Map.of(
                "module-info.java", "module " + module + " { requires yastack.api; provides yastack.api.HttpFilterFactory with " + pkg + ".F; }\n",
                pkg.replace('.', '/') + "/F.java", """
                        package %s;
                        import yastack.api.*;
                        public final class F implements HttpFilterFactory {
                            public String name() { return "%s"; }
                            public ConfiguredHttpFilter create(PluginConfig config, PluginContext ctx) {
                                return stream -> new HttpFilter() {};
                            }
                        }
                        """.formatted(pkg, filterName));
    }

    /** A factory whose constructor throws. */
    static Map<String, String> throwsAtStart() {
        return Map.of(
                "module-info.java", "module test.fragile { requires yastack.api; provides yastack.api.HttpFilterFactory with test.fragile.F; }\n",
                "test/fragile/F.java", """
                        package test.fragile;
                        import yastack.api.*;
                        public final class F implements HttpFilterFactory {
                            public F() { throw new IllegalStateException("cannot find my license file"); }
                            public String name() { return "fragile"; }
                            public ConfiguredHttpFilter create(PluginConfig config, PluginContext ctx) { return s -> new HttpFilter() {}; }
                        }
                        """);
    }

    /** A module that needs {@code org.absent}, which is not shipped. */
    static Map<String, String> needsAbsent() {
        return Map.of(
                "module-info.java", "module test.needy { requires yastack.api; requires org.absent; provides yastack.api.HttpFilterFactory with test.needy.F; }\n",
                "test/needy/F.java", """
                        package test.needy;
                        import yastack.api.*;
                        public final class F implements HttpFilterFactory {
                            public String name() { return "needy"; }
                            public ConfiguredHttpFilter create(PluginConfig config, PluginContext ctx) { org.absent.Absent.touch(); return s -> new HttpFilter() {}; }
                        }
                        """);
    }

    static Map<String, String> absent() {
        return Map.of(
                "module-info.java", "module org.absent { exports org.absent; }\n",
                "org/absent/Absent.java", "package org.absent;\npublic final class Absent { public static void touch() {} }\n");
    }

    /**
     * A plain jar trying to reach the kernel: {@code peek-reflect} looks the loader
     * class up by name; {@code peek-direct} was compiled against the kernel and
     * uses it directly.
     */
    static Map<String, String> kernelPeek() {
        return Map.of("peek/Reflect.java", """
                        package peek;
                        import yastack.api.*;
                        public class Reflect implements HttpFilterFactory {
                            public String name() { return "peek-reflect"; }
                            public ConfiguredHttpFilter create(PluginConfig config, PluginContext ctx) {
                                String seen;
                                try {
                                    Class<?> c = Class.forName("yastack.kernel.plugin.PluginLoader", true, Reflect.class.getClassLoader());
                                    seen = "visible " + c;
                                } catch (ClassNotFoundException e) {
                                    seen = "not visible";
                                }
                                String result = seen;
                                return s -> new HttpFilter() {
                                    @Override public FilterResult onRequestHeaders(HttpStream st, HttpRequestHead r) {
                                        r.headers().set("x-peek", result);
                                        return FilterResult.proceed();
                                    }
                                };
                            }
                        }
                        """,
                "peek/Direct.java", """
                        package peek;
                        import yastack.api.*;
                        public class Direct implements HttpFilterFactory {
                            public String name() { return "peek-direct"; }
                            public ConfiguredHttpFilter create(PluginConfig config, PluginContext ctx) {
                                Object stolen = new yastack.kernel.plugin.PluginStatsRegistry();
                                return s -> new HttpFilter() {};
                            }
                        }
                        """);
    }

    static Map<String, String> kernelPeekServices() {
        return Map.of(SERVICES + "yastack.api.HttpFilterFactory", "peek.Reflect\npeek.Direct\n");
    }

    /** A plain jar with a class but no service registration. */
    static Map<String, String> providesNothing() {
        return Map.of("lonely/Util.java", "package lonely;\npublic final class Util {}\n");
    }
}
