package yastack.xds.translate;

import yastack.api.config.TlsCertificate;

/**
 * A translated SDS secret: a certificate and key (as a listener's TLS takes them), or a CA's
 * PEM; the other is null.
 */
public record SecretResource(TlsCertificate certificate, String caPem) {}
