package yastack.proxy.tls;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The trust manager of a listener that asks for no client certificate (no {@code client_ca}):
 * it trusts none. Without one Netty builds the JDK's default, which reads and parses the whole
 * system CA store (~140 certificates: ~30 ms of a one-core start, and the parsed store stays
 * on the heap for the context's life) for a check that a listener not asking is never called on.
 */
final class NoClientCertificates extends X509ExtendedTrustManager {
    static final NoClientCertificates INSTANCE = new NoClientCertificates();
    private static final X509Certificate[] NONE = {};

    private NoClientCertificates() {}

    private static void refuse() throws CertificateException {
        throw new CertificateException("this listener takes no client certificates (no client_ca)");
    }

    // Every check, client or server side, with or without the connection: refused.
    @Override public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException { refuse(); }
    @Override public void checkClientTrusted(X509Certificate[] chain, String authType, Socket s) throws CertificateException { refuse(); }
    @Override public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine e) throws CertificateException { refuse(); }
    @Override public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException { refuse(); }
    @Override public void checkServerTrusted(X509Certificate[] chain, String authType, Socket s) throws CertificateException { refuse(); }
    @Override public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine e) throws CertificateException { refuse(); }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return NONE;
    }
}
