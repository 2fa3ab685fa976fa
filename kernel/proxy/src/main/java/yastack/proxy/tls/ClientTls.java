package yastack.proxy.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import java.io.InputStream;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import yastack.api.config.ClusterTls;

/**
 * TLS origination to a cluster: SNI, certificate plus host-name verification against a CA, and
 * a client certificate for upstreams that ask for one (mutual TLS).
 */
public final class ClientTls {
    private final SslContext context;
    private final String sni;
    private final List<LoadedCertificate> loaded = new ArrayList<>();

    /** @param http2 offer only h2 in ALPN (an HTTP/2 cluster) */
    public ClientTls(String cluster, ClusterTls config, Path baseDir, boolean http2) {
        this.sni = config.getSni();
        try {
            SslContextBuilder b = SslContextBuilder.forClient()
                    .sslProvider(OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK).keyStoreType(ServerTls.TRANSIENT_KEY_STORE)
                    .protocols("TLSv1.3", "TLSv1.2");
            if (http2) {
                b.applicationProtocolConfig(new ApplicationProtocolConfig(
                        ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        ApplicationProtocolNames.HTTP_2));
            }
            String owner = "cluster " + cluster;
            if (!config.getCert().isEmpty() || !config.getCertPem().isEmpty()) {
                Pem chain = Pem.of(config.getCert(), config.getCertPem(), baseDir);
                Pem keyPem = Pem.of(config.getKey(), config.getKeyPem(), baseDir);
                List<LoadedCertificate> certs = LoadedCertificate.read(owner, "cert_chain", chain);
                PrivateKey privateKey = certs.isEmpty() ? null : KeyMatch.read(keyPem, certs.getFirst().certificate());
                if (privateKey != null) {
                    KeyMatch.check(privateKey, keyPem, certs.getFirst().certificate());
                    b.keyManager(privateKey, LoadedCertificate.certificates(certs));
                } else {
                    try (InputStream cert = chain.open(); InputStream key = keyPem.open()) {
                        b.keyManager(cert, key); // a key format only the TLS library reads
                    }
                }
                loaded.addAll(certs);
            }
            if (!config.getCa().isEmpty() || !config.getCaPem().isEmpty()) {
                Pem ca = Pem.of(config.getCa(), config.getCaPem(), baseDir);
                try (InputStream in = ca.open()) {
                    b.trustManager(in);
                }
                loaded.addAll(LoadedCertificate.read(owner, "ca_cert", ca));
            }
            this.context = b.build();
        } catch (Exception e) {
            throw new IllegalStateException("cluster " + cluster + ": cannot set up TLS: " + e.getMessage(), e);
        }
    }

    /** The client certificate chain and CA this cluster's TLS was built from (none: the system's CAs). */
    public List<LoadedCertificate> certificates() {
        return List.copyOf(loaded);
    }

    /** A handler for one upstream connection to {@code host:port}; the name checked is the SNI, else the host. */
    public SslHandler newHandler(ByteBufAllocator alloc, String host, int port) {
        String name = sni.isEmpty() ? host : sni;
        SslHandler h = context.newHandler(alloc, name, port);
        SSLEngine engine = h.engine();
        SSLParameters p = engine.getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS");
        engine.setSSLParameters(p);
        return h;
    }
}
