package yastack.kernel.tls;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A throwaway CA and certificates made with the openssl CLI (PKCS#8 keys), for TLS tests. */
public final class TestPki {
    public final Path dir;

    public TestPki(Path dir) throws Exception {
        this.dir = dir;
        run("openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "ca.key");
        run("openssl", "req", "-x509", "-new", "-key", "ca.key", "-subj", "/CN=yastack test CA", "-days", "2", "-out", "ca.pem");
    }

    /** Issues {@code name}.pem / {@code name}.key for the given DNS names or IPv4 addresses (first is the CN). */
    public void issue(String name, String... dnsNames) throws Exception {
        run("openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", name + ".key");
        run("openssl", "req", "-new", "-key", name + ".key", "-subj", "/CN=" + dnsNames[0], "-out", name + ".csr");
        StringBuilder san = new StringBuilder("subjectAltName=");
        // Names that look like IPv4 addresses become IP SANs (clients verify addresses against those).
        for (int i = 0; i < dnsNames.length; i++) {
            String kind = dnsNames[i].matches("[0-9.]+") ? "IP:" : "DNS:";
            san.append(i == 0 ? "" : ",").append(kind).append(dnsNames[i]);
        }
        Files.writeString(dir.resolve(name + ".ext"), san + "\nextendedKeyUsage=serverAuth,clientAuth\n");
        run("openssl", "x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-days", "2", "-extfile", name + ".ext", "-out", name + ".pem");
    }

    public Path path(String file) {
        return dir.resolve(file);
    }

    /** Runs a command in the PKI directory; returns stdout+stderr; fails on non-zero exit. */
    public String run(String... cmd) throws Exception {
        return exec(true, cmd);
    }

    public String exec(boolean mustSucceed, String... cmd) throws Exception {
        Process p = new ProcessBuilder(new ArrayList<>(List.of(cmd))).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", cmd) + " timed out");
        }
        if (mustSucceed && p.exitValue() != 0) throw new AssertionError(String.join(" ", cmd) + " failed:\n" + out);
        return out;
    }
}
