package yastack.xds.translate;

import java.util.Set;
import yastack.api.config.Listener;

/**
 * A translated Envoy listener.
 *
 * @param listener   our listener; an HTTP one whose routes come from RDS has no route table yet
 * @param rdsName    the RouteConfiguration it waits for, or null
 * @param clusters   the clusters its inline routes or TCP proxy name
 * @param statPrefix the connection manager's (or TCP proxy's) stat_prefix, for RDS stats
 * @param secrets    the SDS secrets its TLS waits for: certificates in order, then the client CA
 */
public record ListenerResource(Listener listener, String rdsName, Set<String> clusters, String statPrefix, TlsSecrets secrets) {}
