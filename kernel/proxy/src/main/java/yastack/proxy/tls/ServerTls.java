package yastack.proxy.tls;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslContextOption;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.Mapping;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import yastack.api.config.ListenerTls;
import yastack.api.config.TlsCertificate;
import yastack.kernel.util.FileWatcher;
import yastack.kernel.util.Logs;

/**
 * A listener's TLS termination: one context per certificate, picked by SNI (exact name,
 * then wildcard, else the first certificate), TLS 1.2/1.3 with strong suites and curves only
 * ({@link TlsParameters}), ALPN as configured, optional client-certificate verification. When the files change the contexts are
 * rebuilt and swapped in for new handshakes; a broken new file keeps the old contexts.
 */
public final class ServerTls implements Mapping<String, SslContext>, AutoCloseable {
    private static final System.Logger LOG = Logs.get("yastack");

    private final String listener;
    private final ListenerTls config;
    private final Path baseDir;
    private final TlsParameters parameters;
    private final AtomicReference<Contexts> current = new AtomicReference<>();
    private final FileWatcher watcher;

    private record Contexts(SslContext fallback, Map<String, SslContext> exact, Map<String, SslContext> wildcard) {}

    public ServerTls(String listener, ListenerTls config, Path baseDir) {
        this.listener = listener;
        this.config = config;
        this.baseDir = baseDir;
        this.parameters = TlsParameters.of(config);
        current.set(build());
        List<Path> files = new ArrayList<>();
        for (TlsCertificate c : config.getCertificatesList()) {
            files.add(resolve(c.getCert()));
            files.add(resolve(c.getKey()));
        }
        if (!config.getClientCa().isEmpty()) files.add(resolve(config.getClientCa()));
        watcher = FileWatcher.start("tls-" + listener, files, this::reload);
    }

    /** Whether the listener negotiates HTTP/2 via ALPN. */
    public boolean offersH2() {
        return config.getAlpnList().contains(ApplicationProtocolNames.HTTP_2);
    }

    private Path resolve(String file) {
        Path p = Path.of(file);
        return p.isAbsolute() ? p : baseDir.resolve(p);
    }

    private Contexts build() {
        SslContext fallback = null;
        Map<String, SslContext> exact = new HashMap<>();
        Map<String, SslContext> wildcard = new HashMap<>();
        for (TlsCertificate c : config.getCertificatesList()) {
            SslContext ctx = context(resolve(c.getCert()), resolve(c.getKey()));
            if (fallback == null) fallback = ctx;
            try {
                for (String name : CertificateNames.of(resolve(c.getCert()))) {
                    if (name.startsWith("*.")) wildcard.putIfAbsent(name.substring(2), ctx);
                    else exact.putIfAbsent(name, ctx);
                }
            } catch (Exception e) {
                throw new IllegalStateException("listener " + listener + ": cannot read " + c.getCert() + ": " + e.getMessage(), e);
            }
        }
        return new Contexts(fallback, Map.copyOf(exact), Map.copyOf(wildcard));
    }

    private SslContext context(Path cert, Path key) {
        try {
            boolean openSsl = OpenSsl.isAvailable();
            SslContextBuilder b = SslContextBuilder.forServer(cert.toFile(), key.toFile())
                    .sslProvider(openSsl ? SslProvider.OPENSSL : SslProvider.JDK)
                    .protocols(parameters.protocols()).ciphers(parameters.ciphers());
            if (openSsl) b.option(OpenSslContextOption.GROUPS, parameters.curves().toArray(new String[0]));
            if (!config.getAlpnList().isEmpty()) {
                b.applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, config.getAlpnList()));
            }
            if (!config.getClientCa().isEmpty()) {
                b.trustManager(resolve(config.getClientCa()).toFile()).clientAuth(ClientAuth.REQUIRE);
            }
            return b.build();
        } catch (Exception e) {
            throw new IllegalStateException("listener " + listener + ": cannot load certificate " + cert + " / key " + key
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
