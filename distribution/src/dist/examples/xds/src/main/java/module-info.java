/**
 * The example control plane. java-control-plane's jars have no module names of their own, so
 * they are automatic modules named after their files: {@code server}, {@code cache} and
 * {@code api} (the Envoy API classes, with their own copies of {@code com.google.rpc} and
 * {@code com.google.api}; the pom leaves out gRPC's {@code proto-google-common-protos}, which
 * holds those packages too).
 */
module example.xds {
    requires api;
    requires cache;
    requires server;
    requires com.google.protobuf;
    requires com.google.protobuf.util;
    requires io.grpc;
    requires io.grpc.netty;
}
