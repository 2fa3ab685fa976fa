package yastack.proxy.tls;

import java.io.IOException;
import java.io.InputStream;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A certificate the proxy has loaded (a listener's chain or client CA, a cluster's client
 * chain or CA), as the admin API's {@code /certs} shows it, Envoy's fields: where it came
 * from, its serial, names and validity.
 *
 * @param owner    {@code listener <name>} or {@code cluster <name>}
 * @param role     {@code cert_chain} (ours, presented to peers) or {@code ca_cert} (what peers' chain to)
 * @param source   the file, or {@code inline} (PEM in the config, e.g. from SDS)
 */
public record LoadedCertificate(String owner, String role, String source, X509Certificate certificate) {
    /** Every certificate in {@code pem} (a chain, or a bundle of CAs), for {@code owner} in {@code role}. */
    static List<LoadedCertificate> read(String owner, String role, Pem pem) throws IOException, CertificateException {
        List<LoadedCertificate> out = new ArrayList<>();
        try (InputStream in = pem.open()) {
            for (var c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                out.add(new LoadedCertificate(owner, role, pem.file() == null ? "inline" : pem.file().toString(), (X509Certificate) c));
            }
        }
        return out;
    }

    /** The certificates themselves, in order (a chain as the TLS library takes it). */
    static X509Certificate[] certificates(List<LoadedCertificate> chain) {
        return chain.stream().map(LoadedCertificate::certificate).toArray(X509Certificate[]::new);
    }

    public Instant expiration() {
        return certificate.getNotAfter().toInstant();
    }

    /** Whole days from {@code now} until it expires (negative once expired), Envoy's days_until_expiration. */
    public long daysUntilExpiration(Instant now) {
        return Duration.between(now, expiration()).toDays();
    }

    public Map<String, Object> describe(Instant now) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("owner", owner);
        m.put("role", role);
        m.put("source", source);
        m.put("serial_number", serialNumber());
        m.put("subject", certificate.getSubjectX500Principal().getName());
        m.put("subject_alt_names", CertificateNames.subjectAltNames(certificate, -1));
        m.put("valid_from", certificate.getNotBefore().toInstant().toString());
        m.put("expiration_time", expiration().toString());
        m.put("days_until_expiration", daysUntilExpiration(now));
        return m;
    }

    /** Lower-case hex in whole bytes, as {@code openssl x509 -serial} prints it (a leading 0 kept). */
    public String serialNumber() {
        String hex = certificate.getSerialNumber().toString(16);
        return hex.length() % 2 == 0 ? hex : "0" + hex;
    }
}
