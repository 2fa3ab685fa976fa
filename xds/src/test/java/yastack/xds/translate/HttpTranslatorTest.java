package yastack.xds.translate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static yastack.xds.translate.Refusals.refused;
import static yastack.xds.translate.Refusals.string;
import static yastack.xds.translate.Refusals.struct;
import static yastack.xds.translate.Refusals.typedStruct;

import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import com.google.protobuf.Empty;
import com.google.protobuf.Struct;
import com.google.protobuf.UInt32Value;
import com.google.protobuf.util.Durations;
import com.google.protobuf.util.JsonFormat;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiConfigSource;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.HttpProtocolOptions;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.type.matcher.v3.ListStringMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
import io.envoyproxy.envoy.type.v3.HttpStatus;
import io.envoyproxy.envoy.type.v3.StatusCode;
import io.envoyproxy.envoy.config.core.v3.GrpcService;
import io.envoyproxy.envoy.config.core.v3.HttpUri;
import io.envoyproxy.envoy.extensions.filters.http.ext_authz.v3.AuthorizationResponse;
import io.envoyproxy.envoy.extensions.filters.http.ext_authz.v3.ExtAuthz;
import io.envoyproxy.envoy.extensions.filters.http.ext_authz.v3.HttpService;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtClaimToHeader;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtProvider;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtRequirement;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtRequirementAndList;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtRequirementOrList;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.RemoteJwks;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.RequirementRule;
import io.envoyproxy.envoy.config.core.v3.CidrRange;
import io.envoyproxy.envoy.config.rbac.v3.Permission;
import io.envoyproxy.envoy.config.rbac.v3.Policy;
import io.envoyproxy.envoy.config.rbac.v3.Principal;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC;
import io.envoyproxy.envoy.type.matcher.v3.PathMatcher;
import io.envoyproxy.envoy.extensions.filters.common.fault.v3.FaultDelay;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.FaultAbort;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager.UpgradeConfig;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HttpTranslatorTest {
    private static final ConfigSource ADS = ConfigSource.newBuilder().setAds(AggregatedConfigSource.getDefaultInstance()).build();
    private static final HttpFilter ROUTER = HttpFilter.newBuilder().setName("envoy.filters.http.router")
            .setTypedConfig(Any.pack(Router.getDefaultInstance())).build();
    private final InlineScripts scripts = InlineScripts.temporary();
    private final HttpTranslator translator = new HttpTranslator(scripts);

    @AfterEach
    void clean() {
        scripts.close();
    }

    private static HttpConnectionManager.Builder rds(String name) {
        return HttpConnectionManager.newBuilder().setStatPrefix("web")
                .setRds(Rds.newBuilder().setConfigSource(ADS).setRouteConfigName(name));
    }

    @Test
    void envoysExtAuthzWithAnHttpServiceBecomesOurPlugin() throws Exception {
        ExtAuthz ea = ExtAuthz.newBuilder()
                .setHttpService(HttpService.newBuilder()
                        .setServerUri(HttpUri.newBuilder().setUri("http://auth").setCluster("auth").setTimeout(Durations.fromMillis(250)))
                        .setPathPrefix("/verify")
                        .setAuthorizationResponse(AuthorizationResponse.newBuilder()
                                .setAllowedUpstreamHeaders(exact("x-user"))
                                .setAllowedClientHeaders(exact("www-authenticate"))))
                .setAllowedHeaders(exact("authorization"))
                .setFailureModeAllow(true)
                .setStatusOnError(HttpStatus.newBuilder().setCode(StatusCode.ServiceUnavailable))
                .build();
        var out = translator.translate(rds("r").addHttpFilters(HttpFilter.newBuilder().setName("envoy.filters.http.ext_authz")
                .setTypedConfig(Any.pack(ea))).addHttpFilters(ROUTER).build(), "hcm").http();
        assertEquals("ext_authz", out.getFilters(0).getName());
        assertEquals("""
                {"cluster":"auth","path_prefix":"/verify","timeout":"250ms","allowed_headers":["authorization"],\
                "allowed_upstream_headers":["x-user"],"allowed_client_headers":["www-authenticate"],"failure_mode_allow":true,\
                "status_on_error":503.0}""", JsonFormat.printer().omittingInsignificantWhitespace().print(out.getFilters(0).getConfig()));
        refused("hcm.http_filters[0].typed_config.grpc_service: only http_service is supported", () -> translator.translate(
                rds("r").addHttpFilters(HttpFilter.newBuilder().setName("authz").setTypedConfig(Any.pack(ExtAuthz.newBuilder()
                        .setGrpcService(GrpcService.newBuilder().setEnvoyGrpc(GrpcService.EnvoyGrpc.newBuilder().setClusterName("a")))
                        .build()))).addHttpFilters(ROUTER).build(), "hcm"));
        refused("hcm.http_filters[0].typed_config.allowed_headers.patterns[0]: only exact header names are supported",
                () -> translator.translate(rds("r").addHttpFilters(HttpFilter.newBuilder().setName("authz").setTypedConfig(Any.pack(
                        ea.toBuilder().setAllowedHeaders(ListStringMatcher.newBuilder().addPatterns(StringMatcher.newBuilder().setPrefix("x-")))
                                .build()))).addHttpFilters(ROUTER).build(), "hcm"));
    }

    @Test
    void envoysJwtAuthnBecomesOurPlugin() throws Exception {
        JwtAuthentication ja = JwtAuthentication.newBuilder()
                .putProviders("idp", JwtProvider.newBuilder().setIssuer("https://idp.test").addAudiences("shop")
                        .setRemoteJwks(RemoteJwks.newBuilder().setHttpUri(HttpUri.newBuilder()
                                .setUri("https://idp.test/.well-known/jwks.json").setCluster("idp").setTimeout(Durations.fromSeconds(2)))
                                .setCacheDuration(Durations.fromSeconds(300)))
                        .addClaimToHeaders(JwtClaimToHeader.newBuilder().setHeaderName("x-user").setClaimName("sub")).build())
                .addRules(RequirementRule.newBuilder().setMatch(RouteMatch.newBuilder().setPrefix("/health")))
                .addRules(RequirementRule.newBuilder().setMatch(RouteMatch.newBuilder().setPrefix("/"))
                        .setRequires(JwtRequirement.newBuilder().setRequiresAny(JwtRequirementOrList.newBuilder()
                                .addRequirements(JwtRequirement.newBuilder().setProviderName("idp"))
                                .addRequirements(JwtRequirement.newBuilder().setAllowMissing(Empty.getDefaultInstance())))))
                .build();
        var out = translator.translate(rds("r").addHttpFilters(HttpFilter.newBuilder().setName("envoy.filters.http.jwt_authn")
                .setTypedConfig(Any.pack(ja))).addHttpFilters(ROUTER).build(), "hcm").http();
        assertEquals("jwt_authn", out.getFilters(0).getName());
        assertEquals("""
                {"providers":{"idp":{"issuer":"https://idp.test","audiences":["shop"],"remote_jwks":{"cluster":"idp",\
                "path":"/.well-known/jwks.json","timeout":"2000ms","cache_duration":"300000ms"},"claim_to_headers":[{"header_name":"x-user",\
                "claim_name":"sub"}]}},"rules":[{"match":{"prefix":"/health"}},{"match":{"prefix":"/"},"requires_any":["idp"],\
                "allow_missing":true}]}""", JsonFormat.printer().omittingInsignificantWhitespace().print(out.getFilters(0).getConfig()));
        var optional = translator.translate(rds("r").addHttpFilters(HttpFilter.newBuilder().setName("jwt").setTypedConfig(Any.pack(
                ja.toBuilder().clearRules().addRules(RequirementRule.newBuilder().setMatch(RouteMatch.newBuilder().setPrefix("/"))
                        .setRequires(JwtRequirement.newBuilder().setAllowMissingOrFailed(Empty.getDefaultInstance()))).build())))
                .addHttpFilters(ROUTER).build(), "hcm").http();
        assertEquals("""
                [{"match":{"prefix":"/"},"requires_any":["idp"],"allow_missing_or_failed":true}]""",
                JsonFormat.printer().omittingInsignificantWhitespace().print(optional.getFilters(0).getConfig().getFieldsOrThrow("rules")),
                "a bare allow_missing_or_failed means any provider, never refusing");
        JwtAuthentication two = ja.toBuilder().putProviders("svc", ja.getProvidersOrThrow("idp").toBuilder().setIssuer("https://svc.test").build())
                .clearRules().addRules(RequirementRule.newBuilder().setMatch(RouteMatch.newBuilder().setPrefix("/"))
                        .setRequires(JwtRequirement.newBuilder().setRequiresAll(JwtRequirementAndList.newBuilder()
                                .addRequirements(JwtRequirement.newBuilder().setProviderName("idp"))
                                .addRequirements(JwtRequirement.newBuilder().setProviderName("svc"))))).build();
        var both = translator.translate(rds("r").addHttpFilters(HttpFilter.newBuilder().setName("jwt").setTypedConfig(Any.pack(two)))
                .addHttpFilters(ROUTER).build(), "hcm").http();
        assertEquals("""
                [{"match":{"prefix":"/"},"requires_all":["idp","svc"]}]""",
                JsonFormat.printer().omittingInsignificantWhitespace().print(both.getFilters(0).getConfig().getFieldsOrThrow("rules")));
        refused("hcm.http_filters[0].typed_config.rules[0].requires.requires_all.requirements[1]: only provider_name is supported in requires_all",
                () -> translator.translate(rds("r").addHttpFilters(HttpFilter.newBuilder().setName("jwt").setTypedConfig(Any.pack(
                        ja.toBuilder().clearRules().addRules(RequirementRule.newBuilder().setMatch(RouteMatch.newBuilder().setPrefix("/"))
                                .setRequires(JwtRequirement.newBuilder().setRequiresAll(JwtRequirementAndList.newBuilder()
                                        .addRequirements(JwtRequirement.newBuilder().setProviderName("idp"))
                                        .addRequirements(JwtRequirement.newBuilder().setAllowMissing(Empty.getDefaultInstance()))))).build())))
                        .addHttpFilters(ROUTER).build(), "hcm"));
    }

    @Test
    void envoysFaultFilterBecomesOurPlugin() throws Exception {
        HTTPFault fault = HTTPFault.newBuilder()
                .setDelay(FaultDelay.newBuilder().setFixedDelay(Durations.fromMillis(1500))
                        .setPercentage(FractionalPercent.newBuilder().setNumerator(10)))
                .setAbort(FaultAbort.newBuilder().setHeaderAbort(FaultAbort.HeaderAbort.getDefaultInstance())
                        .setPercentage(FractionalPercent.newBuilder().setNumerator(100)))
                .addHeaders(HeaderMatcher.newBuilder().setName("x-chaos").setPresentMatch(true))
                .setMaxActiveFaults(UInt32Value.of(20)).build();
        var out = translator.translate(rds("r").addHttpFilters(HttpFilter.newBuilder().setName("envoy.filters.http.fault")
                .setTypedConfig(Any.pack(fault))).addHttpFilters(ROUTER).build(), "hcm").http();
        assertEquals("fault", out.getFilters(0).getName());
        assertEquals("""
                {"delay":{"percentage":10.0,"fixed_delay":"1500ms"},"abort":{"percentage":100.0,"header_abort":true},\
                "header":"x-chaos","max_active_faults":20.0}""", JsonFormat.printer().omittingInsignificantWhitespace()
                .print(out.getFilters(0).getConfig()));
        refused("hcm.http_filters[0].typed_config.abort.grpc_status: not supported", () -> translator.translate(rds("r")
                .addHttpFilters(HttpFilter.newBuilder().setName("f").setTypedConfig(Any.pack(HTTPFault.newBuilder()
                        .setAbort(FaultAbort.newBuilder().setGrpcStatus(14)).build()))).addHttpFilters(ROUTER).build(), "hcm"));
    }

    @Test
    void envoysRbacBecomesOurPlugin() throws Exception {
        RBAC rbac = RBAC.newBuilder().setRules(io.envoyproxy.envoy.config.rbac.v3.RBAC.newBuilder()
                .setAction(io.envoyproxy.envoy.config.rbac.v3.RBAC.Action.ALLOW)
                .putPolicies("office", Policy.newBuilder()
                        .addPermissions(Permission.newBuilder().setAndRules(Permission.Set.newBuilder()
                                .addRules(Permission.newBuilder().setHeader(HeaderMatcher.newBuilder().setName(":method")
                                        .setStringMatch(StringMatcher.newBuilder().setExact("GET"))))
                                .addRules(Permission.newBuilder().setUrlPath(PathMatcher.newBuilder()
                                        .setPath(StringMatcher.newBuilder().setPrefix("/admin").setIgnoreCase(true))))))
                        .addPrincipals(Principal.newBuilder().setRemoteIp(CidrRange.newBuilder().setAddressPrefix("10.0.0.0")
                                .setPrefixLen(UInt32Value.of(8))))
                        .addPrincipals(Principal.newBuilder().setNotId(Principal.newBuilder().setHeader(HeaderMatcher.newBuilder()
                                .setName("x-bot").setPresentMatch(true))))
                        .build())).build();
        var out = translator.translate(rds("r").addHttpFilters(HttpFilter.newBuilder().setName("envoy.filters.http.rbac")
                .setTypedConfig(Any.pack(rbac))).addHttpFilters(ROUTER).build(), "hcm").http();
        assertEquals("rbac", out.getFilters(0).getName());
        assertEquals("""
                {"action":"allow","policies":{"office":{"permissions":[{"and":[{"method":"GET"},{"url_path":{"prefix":"/admin",\
                "ignore_case":true}}]}],"principals":[{"remote_ip":"10.0.0.0/8"},{"not":{"header":{"present":true,"name":"x-bot"}}}]}}}""",
                JsonFormat.printer().omittingInsignificantWhitespace().print(out.getFilters(0).getConfig()));
        refused("hcm.http_filters[0].typed_config.rules.policies.office.condition: not supported", () -> translator.translate(rds("r")
                .addHttpFilters(HttpFilter.newBuilder().setName("rbac").setTypedConfig(Any.pack(rbac.toBuilder().setRules(
                        rbac.getRules().toBuilder().putPolicies("office", rbac.getRules().getPoliciesOrThrow("office").toBuilder()
                                .setCondition(com.google.api.expr.v1alpha1.Expr.getDefaultInstance()).build())).build())))
                .addHttpFilters(ROUTER).build(), "hcm"));
    }

    private static ListStringMatcher exact(String name) {
        return ListStringMatcher.newBuilder().addPatterns(StringMatcher.newBuilder().setExact(name)).build();
    }

    @Test
    void theConnectionManagerFieldByField() throws Exception {
        HttpConnectionManager h = rds("routes").setCodecType(HttpConnectionManager.CodecType.HTTP1).setServerName("edge")
                .setVia("1.1 edge").setRequestHeadersTimeout(Durations.fromSeconds(7)).setMaxRequestHeadersKb(UInt32Value.of(32))
                .setCommonHttpProtocolOptions(HttpProtocolOptions.newBuilder().setIdleTimeout(Durations.fromSeconds(90))
                        .setMaxRequestsPerConnection(UInt32Value.of(100)))
                .addUpgradeConfigs(UpgradeConfig.newBuilder().setUpgradeType("websocket"))
                .addUpgradeConfigs(UpgradeConfig.newBuilder().setUpgradeType("h2c").setEnabled(BoolValue.of(false)))
                .setUseRemoteAddress(BoolValue.of(true)).setGenerateRequestId(BoolValue.of(true))
                .addHttpFilters(HttpFilter.newBuilder().setName("cors").setTypedConfig(typedStruct("yastack.dev/plugin/cors",
                        struct("allow_origin", string("*")))))
                .addHttpFilters(HttpFilter.newBuilder().setName("Block Bots").setTypedConfig(typedStruct("yastack.dev/javascript",
                        Struct.newBuilder().putFields("source", string("export function onRequest() {}"))
                                .putFields("config", Refusals.structValue("limit", "3")).build())))
                .addHttpFilters(ROUTER).build();
        HttpTranslator.Result r = translator.translate(h, "hcm");
        var out = r.http();
        assertEquals("edge", out.getServerName());
        assertEquals(yastack.api.config.HttpConnectionManager.CodecType.HTTP1, out.getCodecType());
        assertEquals("1.1 edge", out.getVia());
        assertEquals(7, out.getRequestHeadersTimeout().getSeconds());
        assertEquals(32, out.getMaxRequestHeadersKb());
        assertEquals(90, out.getIdleTimeout().getSeconds());
        assertEquals(100, out.getMaxRequestsPerConnection());
        assertEquals(1, out.getUpgradeConfigsCount(), "a disabled upgrade is left out");
        assertEquals("websocket", out.getUpgradeConfigs(0).getUpgradeType());
        assertEquals("cors", out.getFilters(0).getName());
        assertEquals("*", out.getFilters(0).getConfig().getFieldsOrThrow("allow_origin").getStringValue());
        Path script = Path.of(out.getFilters(1).getScript());
        assertEquals("block_bots.js", script.getFileName().toString(), "the file is named for the filter (its stats)");
        assertEquals("export function onRequest() {}", Files.readString(script));
        assertEquals("3", out.getFilters(1).getConfig().getFieldsOrThrow("limit").getStringValue());
        assertFalse(out.hasRouter(), "Envoy's router: our route table");
        assertEquals("routes", r.rdsName());
        assertEquals(Set.of(), r.clusters());
    }

    @Test
    void anInlineRouteConfigNamesItsClusters() throws Rejection {
        RouteConfiguration rc = RouteConfiguration.newBuilder().setName("inline").addVirtualHosts(VirtualHost.newBuilder().setName("all")
                .addDomains("*").addRoutes(Route.newBuilder().setMatch(RouteMatch.newBuilder().setPrefix("/"))
                        .setRoute(RouteAction.newBuilder().setCluster("api")))).build();
        HttpTranslator.Result r = translator.translate(HttpConnectionManager.newBuilder().setStatPrefix("web").setRouteConfig(rc)
                .addHttpFilters(ROUTER).build(), "hcm");
        assertNull(r.rdsName());
        assertEquals(Set.of("api"), r.clusters());
        assertEquals("api", r.http().getRouteConfig().getVirtualHosts(0).getRoutes(0).getRoute().getCluster());
    }

    @Test
    void ourRouterEndsTheChainInsteadOfARouteTable() throws Exception {
        var r = translator.translate(HttpConnectionManager.newBuilder().setStatPrefix("web")
                .addHttpFilters(HttpFilter.newBuilder().setName("ab").setTypedConfig(typedStruct("yastack.dev/plugin/abtest",
                        struct("split", string("50"))))).build(), "hcm");
        assertEquals("abtest", r.http().getRouter().getPlugin());
        assertEquals("50", r.http().getRouter().getConfig().getFieldsOrThrow("split").getStringValue());
        var js = translator.translate(HttpConnectionManager.newBuilder().setStatPrefix("web")
                .addHttpFilters(HttpFilter.newBuilder().setName("route.js").setTypedConfig(typedStruct("yastack.dev/javascript",
                        struct("source", string("export function route() {}"))))).build(), "hcm");
        assertEquals("export function route() {}", Files.readString(Path.of(js.http().getRouter().getScript())));
        assertNull(js.rdsName());
    }

    @Test
    void refusalsNameTheField() {
        refused("hcm.codec_type: HTTP3 is not supported: AUTO, HTTP1 or HTTP2", () -> translator.translate(
                rds("r").setCodecType(HttpConnectionManager.CodecType.HTTP3).addHttpFilters(ROUTER).build(), "hcm"));
        refused("hcm.generate_request_id: request ids are always generated when absent", () -> translator.translate(
                rds("r").setGenerateRequestId(BoolValue.of(false)).addHttpFilters(ROUTER).build(), "hcm"));
        refused("hcm.stream_idle_timeout: not supported", () -> translator.translate(
                rds("r").setStreamIdleTimeout(Durations.fromSeconds(1)).addHttpFilters(ROUTER).build(), "hcm"));
        refused("hcm.common_http_protocol_options.headers_with_underscores_action: not supported", () -> translator.translate(
                rds("r").setCommonHttpProtocolOptions(HttpProtocolOptions.newBuilder().setHeadersWithUnderscoresAction(
                        HttpProtocolOptions.HeadersWithUnderscoresAction.REJECT_REQUEST)).addHttpFilters(ROUTER).build(), "hcm"));
        refused("hcm.http_filters: needs a router as the last filter (envoy.filters.http.router)", () -> translator.translate(
                rds("r").build(), "hcm"));
        refused("hcm.http_filters[0]: envoy.filters.http.router must be the last filter", () -> translator.translate(
                rds("r").addHttpFilters(ROUTER).addHttpFilters(ROUTER).build(), "hcm"));
        refused("hcm.http_filters[0].typed_config.suppress_envoy_headers: not supported", () -> translator.translate(
                rds("r").addHttpFilters(HttpFilter.newBuilder().setName("router").setTypedConfig(Any.pack(Router.newBuilder()
                        .setSuppressEnvoyHeaders(true).build()))).build(), "hcm"));
        refused("hcm.http_filters[0].typed_config: type type.googleapis.com/google.protobuf.Struct is not supported", () -> translator.translate(
                rds("r").addHttpFilters(HttpFilter.newBuilder().setName("x").setTypedConfig(Any.pack(Struct.getDefaultInstance())))
                        .addHttpFilters(ROUTER).build(), "hcm"));
        refused("hcm.http_filters[0].typed_config.type_url: 'example.com/lua' is not a yastack extension; expected yastack.dev/plugin/NAME "
                + "or yastack.dev/javascript", () -> translator.translate(rds("r").addHttpFilters(HttpFilter.newBuilder().setName("x")
                .setTypedConfig(typedStruct("example.com/lua", Struct.getDefaultInstance()))).addHttpFilters(ROUTER).build(), "hcm"));
        refused("hcm.http_filters[0].typed_config.value.source: the script's source is required (a string)", () -> translator.translate(
                rds("r").addHttpFilters(HttpFilter.newBuilder().setName("x").setTypedConfig(typedStruct("yastack.dev/javascript",
                        Struct.getDefaultInstance()))).addHttpFilters(ROUTER).build(), "hcm"));
        refused("hcm.http_filters[0].typed_config.value.file: not supported; give source and config", () -> translator.translate(
                rds("r").addHttpFilters(HttpFilter.newBuilder().setName("x").setTypedConfig(typedStruct("yastack.dev/javascript",
                        Struct.newBuilder().putFields("source", string("x")).putFields("file", string("a.js")).build())))
                        .addHttpFilters(ROUTER).build(), "hcm"));
        refused("hcm.http_filters[0].is_optional: not supported", () -> translator.translate(rds("r").addHttpFilters(
                ROUTER.toBuilder().setIsOptional(true)).build(), "hcm"));
        refused("hcm.rds.config_source.api_config_source: not supported", () -> translator.translate(
                HttpConnectionManager.newBuilder().setRds(Rds.newBuilder().setRouteConfigName("r").setConfigSource(ConfigSource.newBuilder()
                        .setApiConfigSource(ApiConfigSource.newBuilder().setApiType(ApiConfigSource.ApiType.GRPC)))).addHttpFilters(ROUTER)
                        .build(), "hcm"));
        refused("hcm.rds.route_config_name: is required", () -> translator.translate(HttpConnectionManager.newBuilder()
                .setRds(Rds.newBuilder().setConfigSource(ADS)).addHttpFilters(ROUTER).build(), "hcm"));
        refused("hcm: needs rds or route_config for envoy.filters.http.router", () -> translator.translate(
                HttpConnectionManager.newBuilder().addHttpFilters(ROUTER).build(), "hcm"));
        refused("hcm.rds: the last http filter is a yastack router, which routes instead of a route table", () -> translator.translate(
                rds("r").addHttpFilters(HttpFilter.newBuilder().setName("ab").setTypedConfig(typedStruct("yastack.dev/plugin/abtest",
                        Struct.getDefaultInstance()))).build(), "hcm"));
        refused("hcm.route_config.virtual_hosts[0].routes[0]: needs route, redirect or direct_response", () -> translator.translate(
                HttpConnectionManager.newBuilder().setRouteConfig(RouteConfiguration.newBuilder().addVirtualHosts(VirtualHost.newBuilder()
                        .addRoutes(Route.newBuilder().setMatch(RouteMatch.newBuilder().setPrefix("/"))))).addHttpFilters(ROUTER).build(), "hcm"));
    }
}
