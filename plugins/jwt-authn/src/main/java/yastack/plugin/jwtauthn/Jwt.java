package yastack.plugin.jwtauthn;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.Base64;
import java.util.List;

/**
 * A JSON Web Token in compact form (RFC 7519, JWS RFC 7515): its header and claims, and the
 * check of its signature against a key set and of its time and audience claims. Only signed
 * tokens with an asymmetric algorithm are accepted ({@code none} and HMAC are refused: a
 * shared secret has no place in a key set a proxy fetches).
 */
record Jwt(JsonObject header, JsonObject claims, String payloadPart, byte[] signingInput, byte[] signature) {

    /** Why a token is refused: Envoy's wording, which clients and dashboards know. */
    static final class Refusal extends Exception {
        /** No key of the set fits the token's kid or algorithm: a rotated key the set may not have yet. */
        final boolean noMatchingKey;

        Refusal(String message) {
            this(message, false);
        }

        Refusal(String message, boolean noMatchingKey) {
            super(message, null, false, false);
            this.noMatchingKey = noMatchingKey;
        }
    }

    static Jwt parse(String token) throws Refusal {
        int first = token.indexOf('.'), second = first < 0 ? -1 : token.indexOf('.', first + 1);
        if (first <= 0 || second <= first + 1 || token.indexOf('.', second + 1) >= 0 || second == token.length() - 1) {
            throw new Refusal("Jwt is not in the form of Header.Payload.Signature with two dots and 3 sections");
        }
        try {
            JsonObject header = object(token.substring(0, first));
            String payload = token.substring(first + 1, second);
            JsonObject claims = object(payload);
            byte[] signature = Base64.getUrlDecoder().decode(token.substring(second + 1));
            return new Jwt(header, claims, payload, token.substring(0, second).getBytes(StandardCharsets.US_ASCII), signature);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new Refusal("Jwt is not in the form of Header.Payload.Signature: its parts are not base64url JSON objects");
        }
    }

    private static JsonObject object(String part) {
        JsonElement e = JsonParser.parseString(new String(Base64.getUrlDecoder().decode(part), StandardCharsets.UTF_8));
        if (!e.isJsonObject()) throw new IllegalArgumentException("not an object");
        return e.getAsJsonObject();
    }

    String alg() {
        return Jwks.text(header, "alg");
    }

    /** Throws unless a key of {@code jwks} (the one its {@code kid} names, when it names one) signed it. */
    void verify(Jwks jwks) throws Refusal {
        String alg = alg();
        String kty = alg == null ? null : switch (alg) {
            case "RS256", "RS384", "RS512", "PS256", "PS384", "PS512" -> "RSA";
            case "ES256", "ES384", "ES512" -> "EC";
            case "EdDSA" -> "OKP";
            default -> null;
        };
        if (kty == null) throw new Refusal("Jwt verification fails: algorithm " + alg + " is not supported");
        String kid = Jwks.text(header, "kid");
        boolean anyKey = false;
        for (Jwks.Key k : jwks.keys()) {
            if (!kty.equals(k.kty()) || (k.alg() != null && !k.alg().equals(alg)) || (kid != null && k.kid() != null && !kid.equals(k.kid()))) {
                continue;
            }
            anyKey = true;
            try {
                Signature s = signature(alg);
                s.initVerify(k.key());
                s.update(signingInput);
                if (s.verify(signature)) return;
            } catch (GeneralSecurityException e) {
                // a key of the wrong curve or size: the next one may fit
            }
        }
        throw new Refusal(anyKey ? "Jwt verification fails" : "Jwks doesn't have key to match kid or alg from Jwt", !anyKey);
    }

    private static Signature signature(String alg) throws GeneralSecurityException {
        return switch (alg) {
            case "RS256" -> Signature.getInstance("SHA256withRSA");
            case "RS384" -> Signature.getInstance("SHA384withRSA");
            case "RS512" -> Signature.getInstance("SHA512withRSA");
            case "PS256" -> pss("SHA-256", MGF1ParameterSpec.SHA256, 32);
            case "PS384" -> pss("SHA-384", MGF1ParameterSpec.SHA384, 48);
            case "PS512" -> pss("SHA-512", MGF1ParameterSpec.SHA512, 64);
            case "ES256" -> Signature.getInstance("SHA256withECDSAinP1363Format");
            case "ES384" -> Signature.getInstance("SHA384withECDSAinP1363Format");
            case "ES512" -> Signature.getInstance("SHA512withECDSAinP1363Format");
            default -> Signature.getInstance("Ed25519");
        };
    }

    private static Signature pss(String digest, MGF1ParameterSpec mgf, int salt) throws GeneralSecurityException {
        Signature s = Signature.getInstance("RSASSA-PSS");
        s.setParameter(new PSSParameterSpec(digest, "MGF1", mgf, salt, 1));
        return s;
    }

    /** Throws when the token is expired, not yet valid, or from another issuer or for other audiences. */
    void checkClaims(String issuer, List<String> audiences, long nowSeconds, long skewSeconds) throws Refusal {
        Long exp = seconds("exp"), nbf = seconds("nbf");
        if (exp != null && nowSeconds > exp + skewSeconds) throw new Refusal("Jwt is expired");
        if (nbf != null && nowSeconds + skewSeconds < nbf) throw new Refusal("Jwt not yet valid");
        if (issuer != null && !issuer.equals(Jwks.text(claims, "iss"))) throw new Refusal("Jwt issuer is not configured");
        if (!audiences.isEmpty() && !hasAudience(audiences)) throw new Refusal("Audiences in Jwt are not allowed");
    }

    private Long seconds(String claim) throws Refusal {
        JsonElement e = claims.get(claim);
        if (e == null || e.isJsonNull()) return null;
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) throw new Refusal("Jwt " + claim + " is not a number");
        return e.getAsLong();
    }

    private boolean hasAudience(List<String> audiences) {
        JsonElement aud = claims.get("aud");
        if (aud == null) return false;
        if (aud.isJsonPrimitive()) return audiences.contains(aud.getAsString());
        if (aud.isJsonArray()) {
            for (JsonElement a : aud.getAsJsonArray()) if (a.isJsonPrimitive() && audiences.contains(a.getAsString())) return true;
        }
        return false;
    }

    /** A claim as a header value: strings as they are, numbers and booleans as text, others as JSON; null when absent. */
    String claimText(String name) {
        JsonElement e = claims.get(name);
        if (e == null || e.isJsonNull()) return null;
        return e.isJsonPrimitive() ? e.getAsString() : e.toString();
    }
}
