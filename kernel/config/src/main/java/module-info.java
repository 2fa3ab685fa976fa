/**
 * The config file: YAML read against the protobuf schema of {@code yastack.api.config}
 * (every node keeps its line), then checked for meaning. Errors name the field path and
 * the line. A leaf: it knows nothing of the kernel or the proxy engine.
 */
module yastack.config {
    requires transitive yastack.api;
    requires transitive com.google.protobuf.util;
    requires org.snakeyaml.engine.v2;

    exports yastack.config to yastack.server, yastack.xds;
}
