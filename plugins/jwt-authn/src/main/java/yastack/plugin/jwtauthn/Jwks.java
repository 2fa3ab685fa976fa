package yastack.plugin.jwtauthn;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * A JSON Web Key Set (RFC 7517) as public keys: RSA, EC (P-256, P-384, P-521) and Ed25519
 * keys; keys of other types, or meant for encryption only, are skipped as Envoy skips them.
 */
record Jwks(List<Key> keys) {
    /** One key: its id ({@code kid}, or null) and the algorithm it is limited to ({@code alg}, or null). */
    record Key(String kid, String alg, String kty, PublicKey key) {}

    /** Ed25519's SubjectPublicKeyInfo up to the key's 32 bytes (RFC 8410). */
    private static final byte[] ED25519_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");

    static Jwks parse(String json) {
        JsonElement root;
        try {
            root = JsonParser.parseString(json);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not JSON: " + e.getMessage());
        }
        if (!root.isJsonObject() || !root.getAsJsonObject().has("keys") || !root.getAsJsonObject().get("keys").isJsonArray()) {
            throw new IllegalArgumentException("a JWKS is an object with a \"keys\" array");
        }
        JsonArray array = root.getAsJsonObject().getAsJsonArray("keys");
        List<Key> keys = new ArrayList<>();
        for (JsonElement e : array) {
            if (!e.isJsonObject()) continue;
            JsonObject k = e.getAsJsonObject();
            if ("enc".equals(text(k, "use"))) continue;
            try {
                PublicKey key = key(k);
                if (key != null) keys.add(new Key(text(k, "kid"), text(k, "alg"), text(k, "kty"), key));
            } catch (GeneralSecurityException | IllegalArgumentException ex) {
                // a key that does not read is skipped; the others still verify
            }
        }
        if (keys.isEmpty()) throw new IllegalArgumentException("no usable key (RSA, EC or Ed25519) in the JWKS");
        return new Jwks(List.copyOf(keys));
    }

    private static PublicKey key(JsonObject k) throws GeneralSecurityException {
        String kty = text(k, "kty");
        if (kty == null) return null;
        return switch (kty) {
            case "RSA" -> KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(number(k, "n"), number(k, "e")));
            case "EC" -> {
                String curve = switch (String.valueOf(text(k, "crv"))) {
                    case "P-256" -> "secp256r1";
                    case "P-384" -> "secp384r1";
                    case "P-521" -> "secp521r1";
                    default -> null;
                };
                if (curve == null) yield null;
                AlgorithmParameters params = AlgorithmParameters.getInstance("EC");
                params.init(new ECGenParameterSpec(curve));
                ECPoint point = new ECPoint(number(k, "x"), number(k, "y"));
                yield KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(point, params.getParameterSpec(ECParameterSpec.class)));
            }
            case "OKP" -> {
                if (!"Ed25519".equals(text(k, "crv"))) yield null;
                byte[] x = bytes(k, "x");
                if (x.length != 32) yield null;
                byte[] der = new byte[ED25519_PREFIX.length + 32];
                System.arraycopy(ED25519_PREFIX, 0, der, 0, ED25519_PREFIX.length);
                System.arraycopy(x, 0, der, ED25519_PREFIX.length, 32);
                yield KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der));
            }
            default -> null;
        };
    }

    static String text(JsonObject o, String name) {
        JsonElement e = o.get(name);
        return e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isString() ? e.getAsString() : null;
    }

    private static BigInteger number(JsonObject k, String name) {
        return new BigInteger(1, bytes(k, name));
    }

    private static byte[] bytes(JsonObject k, String name) {
        String v = text(k, name);
        if (v == null) throw new IllegalArgumentException("no " + name);
        return Base64.getUrlDecoder().decode(v);
    }
}
