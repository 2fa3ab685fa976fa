package yastack.xds.translate;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import yastack.api.config.ListenerTls;

/**
 * The SDS secrets a listener's TLS names ({@code tls_certificate_sds_secret_configs} and
 * {@code validation_context_sds_secret_config}): its certificates wait for them, and once they
 * are all there the secrets' PEM goes into the listener's TLS settings.
 *
 * @param certificates the certificate secrets, in order (after any certificates given as files)
 * @param clientCa     the secret with the CA client certificates must chain to, or null
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
        for (String name : certificates) {
            SecretResource s = find.apply(name);
            if (s.certificate() == null) throw new Rejection("", "Secret '" + name + "' is named as a certificate but holds a CA");
            b.addCertificates(s.certificate());
        }
        if (clientCa != null) {
            SecretResource s = find.apply(clientCa);
            if (s.caPem() == null) throw new Rejection("", "Secret '" + clientCa + "' is named as a validation context but holds a certificate");
            b.clearClientCa().setClientCaPem(s.caPem());
        }
        return b.build();
    }
}
