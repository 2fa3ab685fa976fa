package yastack.xds.translate;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import yastack.api.config.ClusterTls;
import yastack.api.config.ListenerTls;
import yastack.api.config.TlsCertificate;

/**
 * The SDS secrets a listener's or cluster's TLS names ({@code tls_certificate_sds_secret_configs}
 * and {@code validation_context_sds_secret_config}): it waits for them, and once they are all
 * there the secrets' PEM goes into its TLS settings.
 *
 * @param certificates the certificate secrets, in order (after any certificates given as files)
 * @param clientCa     the secret with the CA the peer's certificate must chain to (a listener's
 *                     clients', a cluster's upstream's), or null
 */
public record TlsSecrets(List<String> certificates, String clientCa) {
    public static final TlsSecrets NONE = new TlsSecrets(List.of(), null);

    public boolean isEmpty() {
        return certificates.isEmpty() && clientCa == null;
    }

    public List<String> names() {
        List<String> all = new ArrayList<>(certificates);
        if (clientCa != null) all.add(clientCa);
        return all;
    }

    /** {@code tls} with the secrets' certificates added and its client CA set, from what {@code find} has. */
    public ListenerTls fill(ListenerTls tls, Function<String, SecretResource> find) throws Rejection {
        ListenerTls.Builder b = tls.toBuilder();
        for (String name : certificates) b.addCertificates(certificate(name, find));
        if (clientCa != null) b.clearClientCa().setClientCaPem(ca(find));
        return b.build();
    }

    /** A cluster's {@code tls} with the secret's client certificate and the CA secret's PEM. */
    public ClusterTls fill(ClusterTls tls, Function<String, SecretResource> find) throws Rejection {
        ClusterTls.Builder b = tls.toBuilder();
        if (!certificates.isEmpty()) {
            TlsCertificate c = certificate(certificates.getFirst(), find);
            b.setCert(c.getCert()).setKey(c.getKey()).setCertPem(c.getCertPem()).setKeyPem(c.getKeyPem());
        }
        if (clientCa != null) b.clearCa().setCaPem(ca(find));
        return b.build();
    }

    private static TlsCertificate certificate(String name, Function<String, SecretResource> find) throws Rejection {
        SecretResource s = find.apply(name);
        if (s.certificate() == null) throw new Rejection("", "Secret '" + name + "' is named as a certificate but holds a CA");
        return s.certificate();
    }

    private String ca(Function<String, SecretResource> find) throws Rejection {
        SecretResource s = find.apply(clientCa);
        if (s.caPem() == null) throw new Rejection("", "Secret '" + clientCa + "' is named as a validation context but holds a certificate");
        return s.caPem();
    }
}
