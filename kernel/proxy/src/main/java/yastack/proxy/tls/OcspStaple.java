package yastack.proxy.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Date;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPException;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.SingleResp;

/**
 * An OCSP response to staple to a certificate's handshakes: the DER bytes as the file has them,
 * and until when they hold. Read once per (re)load; a response that is not a successful answer
 * saying "good" for this very certificate is refused, so a stale or mixed-up file fails loudly at
 * load instead of making clients reject handshakes later.
 */
record OcspStaple(byte[] der, long nextUpdateMillis) {
    /** No nextUpdate in the response: newer status may exist at any time, so it never expires here. */
    static final long NO_NEXT_UPDATE = Long.MAX_VALUE;

    boolean expired(long nowMillis) {
        return nowMillis >= nextUpdateMillis;
    }

    static OcspStaple read(Path file, X509Certificate cert) {
        byte[] der;
        try {
            der = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        SingleResp answer;
        try {
            OCSPResp resp = new OCSPResp(der);
            if (resp.getStatus() != OCSPResp.SUCCESSFUL) {
                throw new IllegalArgumentException("the responder refused to answer (OCSP response status " + resp.getStatus() + ")");
            }
            answer = answerFor(cert, (BasicOCSPResp) resp.getResponseObject());
        } catch (IOException | OCSPException | ClassCastException e) {
            throw new IllegalArgumentException("not a DER OCSP response: " + e.getMessage(), e);
        }
        CertificateStatus status = answer.getCertStatus();
        if (status instanceof RevokedStatus r) {
            throw new IllegalArgumentException("the certificate is revoked (since " + r.getRevocationTime().toInstant() + ")");
        }
        if (status != CertificateStatus.GOOD) throw new IllegalArgumentException("the responder does not know the certificate");
        Date next = answer.getNextUpdate();
        return new OcspStaple(der, next == null ? NO_NEXT_UPDATE : next.getTime());
    }

    private static SingleResp answerFor(X509Certificate cert, BasicOCSPResp basic) {
        for (SingleResp r : basic.getResponses()) {
            if (r.getCertID().getSerialNumber().equals(cert.getSerialNumber())) return r;
        }
        throw new IllegalArgumentException("it answers for another certificate (none with serial number "
                + cert.getSerialNumber().toString(16) + ")");
    }
}
