package yastack.proxy.tls;

import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;

/**
 * Whether a private key belongs to a certificate, checked when the pair loads: the TLS
 * library takes a mismatched pair without a word and then fails every handshake, where
 * nginx and Envoy refuse the config ("key values mismatch"). Where the key carries its public
 * half (an RSA key's modulus and exponent; the public point OpenSSL writes into an EC key) that
 * is compared with the certificate's; otherwise the key signs a random message and the
 * certificate's public key must verify it, which works alike for RSA, EC and EdDSA keys. The
 * comparison is what most keys take: the signature cost a start ~50 ms of one core and the
 * JIT a compilation of the P-256 arithmetic (~2.6 KB of bytecode) on the same core.
 *
 * <p>The key read here is also the one handed to the TLS library, so that Netty does not read
 * the PEM again: with Bouncy Castle on the module path (for OCSP staples) it reads keys through
 * Bouncy Castle's provider, whose set-up cost every start with a TLS listener ~0.2 s of one core.
 */
final class KeyMatch {
    private static final String BEGIN = "-----BEGIN PRIVATE KEY-----", END = "-----END PRIVATE KEY-----";

    private KeyMatch() {}

    /**
     * {@code key} when it is PEM PKCS#8 the JDK reads (its type tried as {@code leaf}'s first),
     * else null: other formats (PKCS#1, SEC 1, encrypted) are the TLS library's to read.
     */
    static PrivateKey read(Pem key, X509Certificate leaf) {
        try (InputStream in = key.open()) {
            return read(new String(in.readAllBytes(), StandardCharsets.US_ASCII), leaf.getPublicKey().getAlgorithm());
        } catch (Exception e) {
            return null;
        }
    }

    /** Throws when {@code privateKey} (read from {@code key}) does not belong to {@code leaf}. */
    static void check(PrivateKey privateKey, Pem key, X509Certificate leaf) {
        Boolean same = samePublicHalf(privateKey, leaf.getPublicKey());
        if (same == null ? signatureVerifies(privateKey, leaf.getPublicKey()) : same) return;
        throw new IllegalStateException("the key " + key + " does not belong to the certificate for "
                + leaf.getSubjectX500Principal().getName() + " (key values mismatch)");
    }

    /** Whether {@code key}'s public half is {@code certified}, from what the key carries; null when it carries none. */
    static Boolean samePublicHalf(PrivateKey key, PublicKey certified) {
        if (key instanceof RSAPrivateCrtKey rsa && certified instanceof RSAPublicKey pub) {
            return rsa.getModulus().equals(pub.getModulus()) && rsa.getPublicExponent().equals(pub.getPublicExponent());
        }
        if (!(key instanceof ECPrivateKey) || !(certified instanceof ECPublicKey ec)) return null;
        byte[] carried = carriedEcPoint(key.getEncoded());
        if (carried == null || carried.length == 0 || carried[0] != 4) return null; // none, or compressed: the signature decides
        int size = (ec.getParams().getCurve().getField().getFieldSize() + 7) / 8;
        byte[] point = new byte[1 + 2 * size];
        point[0] = 4; // uncompressed: 04 || X || Y, each as wide as the field
        if (!fixedWidth(ec.getW().getAffineX(), point, 1, size) || !fixedWidth(ec.getW().getAffineY(), point, 1 + size, size)) return null;
        return Arrays.equals(carried, point);
    }

    /**
     * The publicKey of the SEC 1 ECPrivateKey (RFC 5915) inside a PKCS#8 PrivateKeyInfo (RFC 5208),
     * or null when absent or not that structure. Read with a few lines of DER rather than Bouncy
     * Castle's ASN.1: its jar is signed, so none of its classes is in the AOT cache and loading
     * each is checked against the signature (~90 classes, ~0.1 s of a one-core start).
     */
    static byte[] carriedEcPoint(byte[] pkcs8) {
        try {
            Der info = new Der(pkcs8, 0, pkcs8.length).inside(0x30);
            info.skip(0x02); // version
            info.skip(0x30); // algorithm
            Der sec1 = info.inside(0x04).inside(0x30);
            sec1.skip(0x02); // version
            sec1.skip(0x04); // the private scalar
            while (sec1.hasMore()) {
                if (sec1.tag() != 0xa1) {
                    sec1.skip(sec1.tag()); // [0] parameters
                    continue;
                }
                Der bits = sec1.inside(0xa1).inside(0x03);
                if (bits.remaining() < 1 || bits.at(0) != 0) return null; // unused bits: not a point
                return Arrays.copyOfRange(bits.bytes, bits.pos + 1, bits.end);
            }
            return null;
        } catch (IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
            return null;
        }
    }

    private static boolean fixedWidth(BigInteger v, byte[] out, int at, int width) {
        byte[] b = v.toByteArray(); // big-endian, maybe with a leading zero for the sign
        int skip = b.length > width && b[0] == 0 ? 1 : 0;
        if (b.length - skip > width) return false;
        System.arraycopy(b, skip, out, at + width - (b.length - skip), b.length - skip);
        return true;
    }

    /** A cursor over DER values (tag, definite length, contents) within {@code [pos, end)} of {@code bytes}. */
    private static final class Der {
        final byte[] bytes;
        int pos;
        final int end;

        Der(byte[] bytes, int pos, int end) {
            this.bytes = bytes;
            this.pos = pos;
            this.end = end;
        }

        boolean hasMore() {
            return pos < end;
        }

        int remaining() {
            return end - pos;
        }

        int tag() {
            return bytes[pos] & 0xff;
        }

        int at(int offset) {
            return bytes[pos + offset] & 0xff;
        }

        /** The contents of the next value, which must have {@code tag}; this cursor moves past it. */
        Der inside(int tag) {
            if (pos >= end || tag() != tag) throw new IllegalArgumentException("expected tag " + tag);
            int i = pos + 1;
            int length = bytes[i++] & 0xff;
            if (length > 0x80 && length <= 0x83) {
                int n = length - 0x80;
                length = 0;
                for (int k = 0; k < n; k++) length = length << 8 | (bytes[i++] & 0xff);
            } else if (length >= 0x80) {
                throw new IllegalArgumentException("indefinite or oversized length");
            }
            if (length > end - i) throw new IllegalArgumentException("value past its container");
            pos = i + length;
            return new Der(bytes, i, i + length);
        }

        void skip(int tag) {
            inside(tag);
        }
    }

    private static boolean signatureVerifies(PrivateKey privateKey, PublicKey certified) {
        String algorithm = switch (privateKey.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "Ed448", "EdDSA" -> privateKey.getAlgorithm();
            default -> null;
        };
        if (algorithm == null) return true; // a type we cannot sign with: the TLS library's to judge
        try {
            byte[] message = new byte[32];
            new SecureRandom().nextBytes(message);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(privateKey);
            signer.update(message);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certified);
            verifier.update(message);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false; // a key of another type than the certificate's fails here too
        }
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
