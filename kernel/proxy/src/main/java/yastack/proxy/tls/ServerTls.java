package yastack.proxy.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslContextOption;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.Mapping;
import java.io.InputStream;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLHandshakeException;
import yastack.api.config.ListenerTls;
import yastack.api.config.ListenerTls.OcspStaplePolicy;
import yastack.api.config.TlsCertificate;
import yastack.kernel.stats.WorkerStats;
import yastack.kernel.util.FileWatcher;
import yastack.kernel.util.Logs;

/**
 * A listener's TLS termination: one context per certificate, picked by SNI (exact name,
 * then wildcard, else the first certificate), TLS 1.2/1.3 with strong suites and curves only
 * ({@link TlsParameters}), ALPN as configured, optional client-certificate verification, OCSP
 * staples ({@link OcspStaple}) under the listener's staple policy. When the files change the
 * contexts are rebuilt and swapped in for new handshakes; a broken new file keeps the old contexts.
 */
public final class ServerTls implements Mapping<String, SslContext>, AutoCloseable {
    private static final System.Logger LOG = Logs.get("yastack");
    /**
     * The type of the key store Netty puts the key and chain in on their way to the TLS library:
     * it lives in memory for a moment and is never written, so JKS's cheap key wrapping will do
     * where PKCS#12's (Netty's default) runs 10,000 rounds of HMAC-SHA-256 per key, ~40 ms of a
     * one-core start and a C2 compilation of SHA-256 on the same core.
     */
    static final String TRANSIENT_KEY_STORE = "JKS";

    private final String listener;
    private final ListenerTls config;
    private final Path baseDir;
    private final TlsParameters parameters;
    private final AtomicReference<Contexts> current = new AtomicReference<>();
    private final FileWatcher watcher;

    private record Contexts(SslContext fallback, Map<String, SslContext> exact, Map<String, SslContext> wildcard,
                            Map<SslContext, OcspStaple> staples, List<LoadedCertificate> loaded) {}

    public ServerTls(String listener, ListenerTls config, Path baseDir) {
        this.listener = listener;
        this.config = config;
        this.baseDir = baseDir;
        this.parameters = TlsParameters.of(config);
        current.set(build());
        List<Path> files = new ArrayList<>();
        for (TlsCertificate c : config.getCertificatesList()) {
            addFile(files, cert(c));
            addFile(files, key(c));
            if (!c.getOcspStaple().isEmpty()) files.add(resolve(c.getOcspStaple()));
        }
        if (clientCa() != null) addFile(files, clientCa());
        watcher = files.isEmpty() ? null : FileWatcher.start("tls-" + listener, files, this::reload);
    }

    /** Whether the listener negotiates HTTP/2 via ALPN. */
    public boolean offersH2() {
        return config.getAlpnList().contains(ApplicationProtocolNames.HTTP_2);
    }

    private static void addFile(List<Path> files, Pem pem) {
        if (pem.file() != null) files.add(pem.file());
    }

    private Pem cert(TlsCertificate c) {
        return Pem.of(c.getCert(), c.getCertPem(), baseDir);
    }

    private Pem key(TlsCertificate c) {
        return Pem.of(c.getKey(), c.getKeyPem(), baseDir);
    }

    /** The CA client certificates must chain to, or null when none are asked for. */
    private Pem clientCa() {
        return config.getClientCa().isEmpty() && config.getClientCaPem().isEmpty() ? null
                : Pem.of(config.getClientCa(), config.getClientCaPem(), baseDir);
    }

    private Path resolve(String file) {
        Path p = Path.of(file);
        return p.isAbsolute() ? p : baseDir.resolve(p);
    }

    private Contexts build() {
        SslContext fallback = null;
        Map<String, SslContext> exact = new HashMap<>();
        Map<String, SslContext> wildcard = new HashMap<>();
        Map<SslContext, OcspStaple> staples = new IdentityHashMap<>();
        List<LoadedCertificate> loaded = new ArrayList<>();
        String owner = "listener " + listener;
        for (int i = 0; i < config.getCertificatesCount(); i++) {
            TlsCertificate c = config.getCertificates(i);
            // The chain is read once here: the context, SNI names, the staple's match and /certs all come from it.
            List<LoadedCertificate> chain;
            try {
                chain = LoadedCertificate.read(owner, "cert_chain", cert(c));
            } catch (Exception e) {
                throw new IllegalStateException("cannot read " + cert(c) + ": " + e.getMessage(), e);
            }
            if (chain.isEmpty()) throw new IllegalStateException("no certificate in " + cert(c));
            X509Certificate leaf = chain.getFirst().certificate();
            PrivateKey privateKey = KeyMatch.read(key(c), leaf);
            if (privateKey != null) KeyMatch.check(privateKey, key(c), leaf);
            SslContext ctx = context(chain, cert(c), privateKey, key(c), !c.getOcspStaple().isEmpty());
            if (fallback == null) fallback = ctx;
            if (!c.getOcspStaple().isEmpty()) staples.put(ctx, staple(i, c, leaf));
            for (String name : CertificateNames.of(leaf)) {
                if (name.startsWith("*.")) wildcard.putIfAbsent(name.substring(2), ctx);
                else exact.putIfAbsent(name, ctx);
            }
            loaded.addAll(chain);
        }
        try {
            if (clientCa() != null) loaded.addAll(LoadedCertificate.read(owner, "ca_cert", clientCa()));
        } catch (Exception e) {
            throw new IllegalStateException("cannot read client CA " + clientCa() + ": " + e.getMessage(), e);
        }
        return new Contexts(fallback, Map.copyOf(exact), Map.copyOf(wildcard), staples, List.copyOf(loaded));
    }

    /** The certificates the current contexts were built from (chains first, then the client CA). */
    public List<LoadedCertificate> certificates() {
        return current.get().loaded();
    }

    private OcspStaple staple(int index, TlsCertificate c, X509Certificate leaf) {
        String where = "tls.certificates[" + index + "].ocsp_staple " + c.getOcspStaple() + ": ";
        OcspStaple staple;
        try {
            staple = OcspStaple.read(resolve(c.getOcspStaple()), leaf);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(where + e.getMessage(), e);
        }
        if (staple.expired(System.currentTimeMillis())) {
            if (config.getOcspStaplePolicy() != OcspStaplePolicy.LENIENT_STAPLING) {
                throw new IllegalStateException(where + "expired, which ocsp_staple_policy " + policyName() + " refuses");
            }
            LOG.log(System.Logger.Level.WARNING, "listener " + listener + ": " + where + "expired; handshakes go without it until the file is renewed");
        }
        if (!OpenSsl.isAvailable() || !OpenSsl.isOcspSupported()) {
            LOG.log(System.Logger.Level.WARNING, "listener " + listener + ": " + where + "no OpenSSL with OCSP here: handshakes go without it");
        }
        return staple;
    }

    private String policyName() {
        return config.getOcspStaplePolicy().name().toLowerCase(Locale.ROOT);
    }

    /** With {@code privateKey} null (a key format the JDK does not read) the TLS library reads {@code key} itself. */
    private SslContext context(List<LoadedCertificate> chain, Pem cert, PrivateKey privateKey, Pem key, boolean stapled) {
        try (InputStream certIn = privateKey == null ? cert.open() : null; InputStream keyIn = privateKey == null ? key.open() : null) {
            boolean openSsl = OpenSsl.isAvailable();
            SslContextBuilder b = (privateKey == null ? SslContextBuilder.forServer(certIn, keyIn)
                    : SslContextBuilder.forServer(privateKey, LoadedCertificate.certificates(chain)))
                    .sslProvider(openSsl ? SslProvider.OPENSSL : SslProvider.JDK).keyStoreType(TRANSIENT_KEY_STORE)
                    .protocols(parameters.protocols()).ciphers(parameters.ciphers());
            if (openSsl) b.option(OpenSslContextOption.GROUPS, parameters.curves().toArray(new String[0]));
            if (stapled && openSsl && OpenSsl.isOcspSupported()) b.enableOcsp(true);
            if (!config.getAlpnList().isEmpty()) {
                b.applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, config.getAlpnList()));
            }
            Pem ca = clientCa();
            if (ca != null) {
                try (InputStream caIn = ca.open()) {
                    b.trustManager(caIn).clientAuth(ClientAuth.REQUIRE);
                    return b.build();
                }
            }
            return b.trustManager(NoClientCertificates.INSTANCE).build();
        } catch (Exception e) {
            throw new IllegalStateException("cannot load certificate " + cert + " / key " + key
                    + ": " + e.getMessage() + " (keys must be PEM PKCS#8, e.g. from openssl genpkey)", e);
        }
    }

    /** SNI lookup: exact name, then the closest wildcard, else the first certificate. */
    @Override
    public SslContext map(String hostname) {
        Contexts c = current.get();
        if (hostname == null) return c.fallback();
        String h = hostname.toLowerCase(Locale.ROOT);
        SslContext ctx = c.exact().get(h);
        if (ctx != null) return ctx;
        int dot = h.indexOf('.');
        if (dot > 0) {
            ctx = c.wildcard().get(h.substring(dot + 1));
            if (ctx != null) return ctx;
        }
        return c.fallback();
    }

    /**
     * The handler that terminates TLS on one connection: picks the context by SNI and staples
     * its certificate's OCSP response. An expired staple is left out under lenient stapling
     * ({@code <prefix>.ssl.ocsp_staple_omitted}) and fails the handshake otherwise
     * ({@code <prefix>.ssl.ocsp_staple_failed}), as Envoy's policies do.
     */
    public SniHandler newHandler(WorkerStats stats, String prefix) {
        return new SniHandler(this) {
            /** The ClientHello stays unread once refused, so the decoder may offer it again until the close. */
            private boolean refused;

            @Override
            protected void replaceHandler(ChannelHandlerContext ctx, String hostname, SslContext context) throws Exception {
                if (refused) return;
                OcspStaple staple = current.get().staples().get(context);
                if (staple != null && staple.expired(System.currentTimeMillis())
                        && config.getOcspStaplePolicy() != OcspStaplePolicy.LENIENT_STAPLING) {
                    // Failed as any handshake fails: the event (counted, the connection closed) and no TLS handler.
                    refused = true;
                    stats.counter(prefix + ".ssl.ocsp_staple_failed").inc();
                    ctx.fireUserEventTriggered(new SslHandshakeCompletionEvent(new SSLHandshakeException(
                            "the certificate's OCSP staple expired (" + policyName() + ")")));
                    ctx.close();
                    return;
                }
                super.replaceHandler(ctx, hostname, context);
            }

            @Override
            protected SslHandler newSslHandler(SslContext context, ByteBufAllocator allocator) {
                SslHandler h = super.newSslHandler(context, allocator);
                OcspStaple staple = current.get().staples().get(context);
                if (staple == null) return h;
                if (staple.expired(System.currentTimeMillis())) {
                    stats.counter(prefix + ".ssl.ocsp_staple_omitted").inc();
                } else if (h.engine() instanceof ReferenceCountedOpenSslEngine e) {
                    e.setOcspResponse(staple.der());
                }
                return h;
            }
        };
    }

    /** Rebuilds from the files; keeps the running contexts when they do not load. */
    public void reload() {
        try {
            current.set(build());
            LOG.log(System.Logger.Level.INFO, "listener " + listener + ": TLS certificates reloaded");
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "listener " + listener + ": TLS reload failed, keeping the current certificates: " + e.getMessage());
        }
    }

    @Override
    public void close() {
        if (watcher != null) watcher.close();
    }
}
