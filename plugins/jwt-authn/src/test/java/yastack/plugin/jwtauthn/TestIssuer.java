package yastack.plugin.jwtauthn;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.Base64;

/** A token issuer for tests: RSA, EC P-256 and Ed25519 keys, their JWKS, and signed tokens. */
final class TestIssuer {
    final KeyPair rsa, ec, ed;

    TestIssuer() throws Exception {
        KeyPairGenerator r = KeyPairGenerator.getInstance("RSA");
        r.initialize(2048);
        rsa = r.generateKeyPair();
        KeyPairGenerator e = KeyPairGenerator.getInstance("EC");
        e.initialize(new ECGenParameterSpec("secp256r1"));
        ec = e.generateKeyPair();
        ed = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    }

    /** The public keys as a JWKS, with kids "rsa", "ec" and "ed". */
    String jwks() {
        RSAPublicKey r = (RSAPublicKey) rsa.getPublic();
        ECPublicKey e = (ECPublicKey) ec.getPublic();
        byte[] x509 = ed.getPublic().getEncoded();
        return """
                {"keys": [
                  {"kty": "RSA", "kid": "rsa", "use": "sig", "n": "%s", "e": "%s"},
                  {"kty": "EC", "kid": "ec", "crv": "P-256", "x": "%s", "y": "%s"},
                  {"kty": "OKP", "kid": "ed", "crv": "Ed25519", "x": "%s"},
                  {"kty": "oct", "kid": "secret", "k": "c2VjcmV0"}]}""".formatted(b64(unsigned(r.getModulus())),
                b64(unsigned(r.getPublicExponent())), b64(fixed(e.getW().getAffineX(), 32)), b64(fixed(e.getW().getAffineY(), 32)),
                b64(Arrays.copyOfRange(x509, x509.length - 32, x509.length)));
    }

    /** A token with {@code claims} (a JSON object) signed by the key {@code kid} with {@code alg}. */
    String token(String alg, String kid, String claims) throws Exception {
        String signingInput = b64(("{\"alg\":\"" + alg + "\",\"kid\":\"" + kid + "\",\"typ\":\"JWT\"}").getBytes(StandardCharsets.UTF_8))
                + "." + b64(claims.getBytes(StandardCharsets.UTF_8));
        Signature s = switch (alg) {
            case "RS256" -> Signature.getInstance("SHA256withRSA");
            case "ES256" -> Signature.getInstance("SHA256withECDSAinP1363Format");
            default -> Signature.getInstance("Ed25519");
        };
        s.initSign(switch (alg) {
            case "RS256" -> rsa.getPrivate();
            case "ES256" -> ec.getPrivate();
            default -> ed.getPrivate();
        });
        s.update(signingInput.getBytes(StandardCharsets.US_ASCII));
        return signingInput + "." + b64(s.sign());
    }

    static String claims(String iss, String aud, long expSecondsFromNow) {
        long now = System.currentTimeMillis() / 1000;
        return "{\"iss\":\"" + iss + "\",\"aud\":\"" + aud + "\",\"sub\":\"alice\",\"exp\":" + (now + expSecondsFromNow) + "}";
    }

    private static String b64(byte[] b) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private static byte[] unsigned(BigInteger n) {
        byte[] b = n.toByteArray();
        return b[0] == 0 ? Arrays.copyOfRange(b, 1, b.length) : b;
    }

    private static byte[] fixed(BigInteger n, int length) {
        byte[] b = unsigned(n), out = new byte[length];
        System.arraycopy(b, 0, out, length - b.length, b.length);
        return out;
    }
}
