package yastack.scripting;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import yastack.api.testkit.TestRequest;
import yastack.api.testkit.TestStream;

/** Script files in a temp directory, and the testkit's requests and streams for driving policies directly. */
final class Fixtures {
    private Fixtures() {}

    /** Writes {@code text} to {@code dir/name} atomically (temp file + rename), as an editor or deploy tool would. */
    static Path write(Path dir, String name, String text) {
        try {
            Path p = dir.resolve(name);
            Files.createDirectories(p.getParent());
            Path tmp = Files.createTempFile(p.getParent(), ".tmp", ".js");
            Files.writeString(tmp, text);
            Files.move(tmp, p, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static TestRequest get(String uri, String... headers) {
        TestRequest r = new TestRequest("GET", uri);
        for (int i = 0; i + 1 < headers.length; i += 2) r.header(headers[i], headers[i + 1]);
        return r;
    }

    /** A stream on listener {@code public} whose worker runs continuations when the test says so. */
    static TestStream stream() {
        return new TestStream().listener("public");
    }
}
