package yastack.proxy.tls;

import java.io.IOException;
import java.io.InputStream;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The DNS names a certificate serves (subjectAltName dNSName entries, else the CN), for SNI selection. */
final class CertificateNames {
    private static final Pattern CN = Pattern.compile("(?:^|,)CN=([^,+]+)");

    private CertificateNames() {}

    static Set<String> of(Pem pem) throws IOException, CertificateException {
        X509Certificate cert;
        try (InputStream in = pem.open()) {
            cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        Set<String> names = new LinkedHashSet<>();
        try {
            if (cert.getSubjectAlternativeNames() != null) {
                for (List<?> san : cert.getSubjectAlternativeNames()) {
                    if (san.size() >= 2 && Integer.valueOf(2).equals(san.get(0))) {
                        names.add(san.get(1).toString().toLowerCase(Locale.ROOT));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            // fall back to the CN
        }
        if (names.isEmpty()) {
            Matcher m = CN.matcher(cert.getSubjectX500Principal().getName());
            if (m.find()) names.add(m.group(1).toLowerCase(Locale.ROOT));
        }
        return names;
    }
}
