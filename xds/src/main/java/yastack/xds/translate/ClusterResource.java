package yastack.xds.translate;

import yastack.api.config.Cluster;

/**
 * A translated Envoy cluster.
 *
 * @param cluster        our cluster; an EDS one without endpoints until its assignment arrives
 * @param edsServiceName the ClusterLoadAssignment it waits for (EDS), or null (STATIC, STRICT_DNS, LOGICAL_DNS: endpoints in the cluster)
 * @param secrets        the SDS secrets its TLS waits for: a client certificate, the CA
 */
public record ClusterResource(Cluster cluster, String edsServiceName, TlsSecrets secrets) {}
