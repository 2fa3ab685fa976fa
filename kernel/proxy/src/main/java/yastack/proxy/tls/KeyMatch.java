package yastack.proxy.tls;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;

/**
 * Whether a private key belongs to a certificate, checked when the pair loads: the TLS
 * library takes a mismatched pair without a word and then fails every handshake, where
 * nginx and Envoy refuse the config ("key values mismatch"). The key signs a random
 * message and the certificate's public key must verify it, which works alike for RSA, EC
 * and EdDSA keys without deriving one key from the other.
 */
final class KeyMatch {
    private static final String BEGIN = "-----BEGIN PRIVATE KEY-----", END = "-----END PRIVATE KEY-----";

    private KeyMatch() {}

    /** Throws when {@code key} (PEM PKCS#8) does not belong to {@code leaf}; key formats it cannot read are left to the TLS library. */
    static void check(Pem key, X509Certificate leaf) {
        PrivateKey privateKey;
        try (InputStream in = key.open()) {
            privateKey = read(new String(in.readAllBytes(), StandardCharsets.US_ASCII), leaf.getPublicKey().getAlgorithm());
        } catch (Exception e) {
            return; // the TLS library already read it; a format we do not parse is its business
        }
        String algorithm = switch (privateKey.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "Ed448", "EdDSA" -> privateKey.getAlgorithm();
            default -> null;
        };
        if (algorithm == null) return;
        try {
            byte[] message = new byte[32];
            new SecureRandom().nextBytes(message);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(privateKey);
            signer.update(message);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(leaf.getPublicKey());
            verifier.update(message);
            if (verifier.verify(signature)) return;
        } catch (GeneralSecurityException e) {
            // a key of another type than the certificate's fails here too
        }
        throw new IllegalStateException("the key " + key + " does not belong to the certificate for "
                + leaf.getSubjectX500Principal().getName() + " (key values mismatch)");
    }

    private static PrivateKey read(String pem, String algorithm) throws GeneralSecurityException {
        int from = pem.indexOf(BEGIN), to = pem.indexOf(END);
        if (from < 0 || to < from) throw new GeneralSecurityException("not PKCS#8 PEM");
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(Base64.getMimeDecoder().decode(pem.substring(from + BEGIN.length(), to)));
        // The certificate's algorithm first; a key of another type must still be read, to be refused.
        for (String a : new String[] {algorithm, "RSA", "EC", "EdDSA", "RSASSA-PSS"}) {
            try {
                return KeyFactory.getInstance(a).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                // not this type
            }
        }
        throw new GeneralSecurityException("no key type reads it");
    }
}
