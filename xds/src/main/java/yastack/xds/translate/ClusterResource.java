package yastack.xds.translate;

import yastack.api.config.Cluster;

/**
 * A translated Envoy cluster.
 *
 * @param cluster        our cluster; an EDS one without endpoints until its assignment arrives
 * @param edsServiceName the ClusterLoadAssignment it waits for (EDS), or null (STATIC, STRICT_DNS, LOGICAL_DNS: endpoints in the cluster)
 */
public record ClusterResource(Cluster cluster, String edsServiceName) {}
