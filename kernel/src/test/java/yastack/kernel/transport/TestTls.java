package yastack.kernel.transport;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;

/** TLS contexts for tests: a throwaway EC key made by the JDK's keytool, trusted blindly by the client. */
final class TestTls {
    private static final char[] PASSWORD = "yastack-test".toCharArray();
    private static SslContext server;
    private static SslContext client;

    private TestTls() {
    }

    static synchronized SslContext server() throws Exception {
        if (server == null) {
            Path dir = Files.createTempDirectory("yastack-tls");
            Path ks = dir.resolve("server.p12");
            try {
                Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                        "-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
                        "-dname", "CN=localhost", "-storetype", "PKCS12", "-keystore", ks.toString(),
                        "-storepass", new String(PASSWORD)).redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes());
                if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    throw new IllegalStateException("keytool failed: " + out);
                }
                KeyStore store = KeyStore.getInstance("PKCS12");
                try (InputStream in = Files.newInputStream(ks)) {
                    store.load(in, PASSWORD);
                }
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(store, PASSWORD);
                server = SslContextBuilder.forServer(kmf).sslProvider(SslProvider.JDK).build();
            } finally {
                Files.deleteIfExists(ks);
                Files.deleteIfExists(dir);
            }
        }
        return server;
    }

    static synchronized SslContext client() throws Exception {
        if (client == null) {
            client = SslContextBuilder.forClient().sslProvider(SslProvider.JDK)
                    .trustManager(InsecureTrustManagerFactory.INSTANCE).build();
        }
        return client;
    }
}
