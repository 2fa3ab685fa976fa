/**
 * The xDS client: Envoy's discovery API (ADS, state of the world, over gRPC) for listeners,
 * routes, clusters and endpoints, translated onto the typed config and applied through the
 * proxy's snapshot swap. Holds the Envoy API classes it needs, generated from Envoy's
 * .proto files; they are opened to protobuf (reflection: JSON, Any) and to nobody else.
 */
module yastack.xds {
    requires yastack.config;
    requires yastack.proxy;
    requires com.google.protobuf;
    requires com.google.protobuf.util;
    requires com.google.gson;
    requires com.google.common;
    requires io.grpc;
    requires io.grpc.stub;
    requires io.grpc.protobuf;
    requires io.grpc.netty;
    requires io.netty.handler;
    requires proto.google.common.protos;

    exports yastack.xds to yastack.server;
    opens com.github.udpa.udpa.type.v1 to com.google.protobuf;
    opens com.github.xds.core.v3 to com.google.protobuf;
    opens com.github.xds.type.matcher.v3 to com.google.protobuf;
    opens com.github.xds.type.v3 to com.google.protobuf;
    opens com.google.api.expr.v1alpha1 to com.google.protobuf;
    opens envoy.annotations to com.google.protobuf;
    opens io.envoyproxy.envoy.config.accesslog.v3 to com.google.protobuf;
    opens io.envoyproxy.envoy.config.cluster.v3 to com.google.protobuf;
    opens io.envoyproxy.envoy.config.common.mutation_rules.v3 to com.google.protobuf;
    opens io.envoyproxy.envoy.config.core.v3 to com.google.protobuf;
    opens io.envoyproxy.envoy.config.endpoint.v3 to com.google.protobuf;
    opens io.envoyproxy.envoy.config.listener.v3 to com.google.protobuf;
    opens io.envoyproxy.envoy.config.rbac.v3 to com.google.protobuf;
    opens io.envoyproxy.envoy.config.route.v3 to com.google.protobuf;
    opens io.envoyproxy.envoy.config.trace.v3 to com.google.protobuf;
    opens io.envoyproxy.envoy.data.accesslog.v3 to com.google.protobuf;
    opens io.envoyproxy.envoy.extensions.filters.common.fault.v3 to com.google.protobuf;
    opens io.envoyproxy.envoy.extensions.filters.http.ext_authz.v3 to com.google.protobuf;
    opens io.envoyproxy.envoy.extensions.filters.http.fault.v3 to com.google.protobuf;
    opens io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3 to com.google.protobuf;
    opens io.envoyproxy.envoy.extensions.filters.http.rbac.v3 to com.google.protobuf;
    opens io.envoyproxy.envoy.extensions.filters.http.router.v3 to com.google.protobuf;
    opens io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3 to com.google.protobuf;
    opens io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3 to com.google.protobuf;
    opens io.envoyproxy.envoy.extensions.network.dns_resolver.cares.v3 to com.google.protobuf;
    opens io.envoyproxy.envoy.extensions.transport_sockets.tls.v3 to com.google.protobuf;
    opens io.envoyproxy.envoy.extensions.upstreams.http.v3 to com.google.protobuf;
    opens io.envoyproxy.envoy.service.cluster.v3 to com.google.protobuf;
    opens io.envoyproxy.envoy.service.discovery.v3 to com.google.protobuf;
    opens io.envoyproxy.envoy.service.endpoint.v3 to com.google.protobuf;
    opens io.envoyproxy.envoy.service.listener.v3 to com.google.protobuf;
    opens io.envoyproxy.envoy.service.route.v3 to com.google.protobuf;
    opens io.envoyproxy.envoy.service.secret.v3 to com.google.protobuf;
    opens io.envoyproxy.envoy.type.http.v3 to com.google.protobuf;
    opens io.envoyproxy.envoy.type.matcher.v3 to com.google.protobuf;
    opens io.envoyproxy.envoy.type.metadata.v3 to com.google.protobuf;
    opens io.envoyproxy.envoy.type.tracing.v3 to com.google.protobuf;
    opens io.envoyproxy.envoy.type.v3 to com.google.protobuf;
    opens io.envoyproxy.pgv.validate to com.google.protobuf;
    opens udpa.annotations to com.google.protobuf;
    opens xds.annotations.v3 to com.google.protobuf;
}
