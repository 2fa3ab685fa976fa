package yastack.proxy.tls;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The names a certificate carries: its DNS names for SNI selection, every subjectAltName for /certs. */
final class CertificateNames {
    private static final Pattern CN = Pattern.compile("(?:^|,)CN=([^,+]+)");
    /** subjectAltName's GeneralName tag for dNSName (RFC 5280 4.2.1.6). */
    private static final int DNS_NAME = 2;

    private CertificateNames() {}

    /** The DNS names it serves (subjectAltName dNSName entries, else the CN), lower-cased. */
    static Set<String> of(X509Certificate cert) {
        Set<String> names = new LinkedHashSet<>();
        for (String n : subjectAltNames(cert, DNS_NAME)) names.add(n.toLowerCase(Locale.ROOT));
        if (names.isEmpty()) {
            Matcher m = CN.matcher(cert.getSubjectX500Principal().getName());
            if (m.find()) names.add(m.group(1).toLowerCase(Locale.ROOT));
        }
        return names;
    }

    /** The subjectAltName entries of GeneralName tag {@code type}, or of every type for -1. */
    static List<String> subjectAltNames(X509Certificate cert, int type) {
        List<String> out = new ArrayList<>();
        try {
            if (cert.getSubjectAlternativeNames() == null) return out;
            for (List<?> san : cert.getSubjectAlternativeNames()) {
                if (san.size() >= 2 && (type < 0 || Integer.valueOf(type).equals(san.get(0)))) out.add(String.valueOf(san.get(1)));
            }
        } catch (CertificateParsingException e) {
            // an unreadable extension names nothing
        }
        return out;
    }
}
