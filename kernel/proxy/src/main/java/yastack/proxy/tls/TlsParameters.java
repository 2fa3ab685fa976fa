package yastack.proxy.tls;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import yastack.api.config.ListenerTls;

/**
 * What a TLS listener offers: TLS 1.2 and 1.3 only (or 1.3 only with {@code min_version:
 * TLSv1_3}); for TLS 1.2 only forward-secret ECDHE key exchange with AEAD ciphers (AES-GCM,
 * ChaCha20-Poly1305) — no CBC, RC4, 3DES, static-RSA or export suites — narrowed by
 * {@code cipher_suites}; key exchange on X25519, P-256 and P-384 unless {@code ecdh_curves}
 * says otherwise. TLS 1.3 suites are BoringSSL's fixed AEAD set. BoringSSL never
 * renegotiates as a server, so no client can start a renegotiation.
 */
public record TlsParameters(List<String> protocols, List<String> ciphers, List<String> curves) {
    /** The TLS 1.2 suites allowed, by their OpenSSL names (as Envoy's cipher_suites) with their IANA names. */
    static final Map<String, String> TLS12_SUITES = Map.of(
            "ECDHE-ECDSA-AES128-GCM-SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "ECDHE-RSA-AES128-GCM-SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "ECDHE-ECDSA-AES256-GCM-SHA384", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "ECDHE-RSA-AES256-GCM-SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "ECDHE-ECDSA-CHACHA20-POLY1305", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "ECDHE-RSA-CHACHA20-POLY1305", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");
    /** The default order: AES-128-GCM, AES-256-GCM, ChaCha20 (ECDSA before RSA for each). */
    static final List<String> DEFAULT_TLS12 = List.of("ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256",
            "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-ECDSA-CHACHA20-POLY1305",
            "ECDHE-RSA-CHACHA20-POLY1305");
    static final List<String> TLS13_SUITES = List.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256");
    static final List<String> DEFAULT_CURVES = List.of("X25519", "P-256", "P-384");

    public static TlsParameters of(ListenerTls tls) {
        boolean only13 = tls.getMinVersion() == ListenerTls.TlsVersion.TLSV1_3;
        List<String> protocols = only13 ? List.of("TLSv1.3") : List.of("TLSv1.3", "TLSv1.2");
        List<String> ciphers = new ArrayList<>(TLS13_SUITES);
        if (!only13) {
            for (String name : tls.getCipherSuitesCount() > 0 ? tls.getCipherSuitesList() : DEFAULT_TLS12) {
                String iana = TLS12_SUITES.get(name);
                if (iana == null) throw new IllegalStateException("cipher suite " + name + " is not one of " + DEFAULT_TLS12);
                ciphers.add(iana);
            }
        }
        List<String> curves = tls.getEcdhCurvesCount() > 0 ? List.copyOf(tls.getEcdhCurvesList()) : DEFAULT_CURVES;
        return new TlsParameters(protocols, List.copyOf(ciphers), curves);
    }
}
