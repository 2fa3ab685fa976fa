package yastack.xds.translate;

import static yastack.xds.translate.Fields.child;
import static yastack.xds.translate.Fields.only;

import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import java.nio.charset.StandardCharsets;
import yastack.api.config.TlsCertificate;

/**
 * Envoy's SDS {@code Secret}: a certificate with its key, or a validation context's trusted
 * CA. Inline PEM stays in memory (the listener's TLS gets it as {@code cert_pem} and
 * {@code key_pem}); a filename stays a file the listener watches.
 */
public final class SecretTranslator {
    private SecretTranslator() {}

    public static SecretResource translate(Secret s) throws Rejection {
        only(s, "", "name", "tls_certificate", "validation_context");
        if (s.hasTlsCertificate()) {
            var c = s.getTlsCertificate();
            only(c, "tls_certificate", "certificate_chain", "private_key");
            if (!c.hasCertificateChain()) throw new Rejection("tls_certificate.certificate_chain", "is required");
            if (!c.hasPrivateKey()) throw new Rejection("tls_certificate.private_key", "is required");
            TlsCertificate.Builder out = TlsCertificate.newBuilder();
            String chain = child("tls_certificate", "certificate_chain"), key = child("tls_certificate", "private_key");
            if (isFile(c.getCertificateChain())) out.setCert(c.getCertificateChain().getFilename());
            else out.setCertPem(pem(c.getCertificateChain(), chain));
            if (isFile(c.getPrivateKey())) out.setKey(c.getPrivateKey().getFilename());
            else out.setKeyPem(pem(c.getPrivateKey(), key));
            return new SecretResource(out.build(), null);
        }
        if (s.hasValidationContext()) {
            var v = s.getValidationContext();
            only(v, "validation_context", "trusted_ca");
            if (!v.hasTrustedCa()) throw new Rejection("validation_context.trusted_ca", "is required");
            if (isFile(v.getTrustedCa())) {
                throw new Rejection("validation_context.trusted_ca", "a CA from an SDS secret must be inline (inline_string or inline_bytes)");
            }
            return new SecretResource(null, pem(v.getTrustedCa(), "validation_context.trusted_ca"));
        }
        throw new Rejection("", "needs a tls_certificate or a validation_context");
    }

    private static boolean isFile(DataSource d) {
        return d.getSpecifierCase() == DataSource.SpecifierCase.FILENAME;
    }

    private static String pem(DataSource d, String path) throws Rejection {
        String text = switch (d.getSpecifierCase()) {
            case INLINE_STRING -> d.getInlineString();
            case INLINE_BYTES -> d.getInlineBytes().toString(StandardCharsets.US_ASCII);
            default -> throw new Rejection(path, "filename, inline_string or inline_bytes is supported, got " + d.getSpecifierCase());
        };
        if (!text.contains("-----BEGIN ")) throw new Rejection(path, "is not PEM text (no -----BEGIN line)");
        return text;
    }
}
