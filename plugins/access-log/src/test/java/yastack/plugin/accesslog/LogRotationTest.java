package yastack.plugin.accesslog;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import yastack.api.AccessLogger;
import yastack.api.PluginConfig;
import yastack.api.config.AccessLog;
import yastack.api.testkit.TestContext;
import yastack.api.testkit.TestRequest;
import yastack.api.testkit.TestStream;
import yastack.api.testkit.TestSummary;

/** logrotate's two ways: rename then signal (reopenLogs), and rename alone (noticed within a second). */
class LogRotationTest {
    @TempDir
    Path tmp;

    private final TestContext ctx = new TestContext("access-log");

    private AccessLogger logger(Path file) throws Exception {
        return new FileAccessLoggerFactory().create(PluginConfig.of(AccessLog.newBuilder().setPath(file.toString())
                .setFormat("%REQ(:PATH)%").build(), "access_log[0]"), ctx);
    }

    private static void log(AccessLogger l, String path) {
        l.log(new TestStream(), new TestSummary(200, 0, 0, 1, "", null, true, false, new TestRequest("GET", path)));
    }

    private static List<String> await(Path file, int lines) throws Exception {
        List<String> got = List.of();
        for (int i = 0; i < 100; i++) {
            got = Files.exists(file) ? Files.readAllLines(file) : List.of();
            if (got.size() >= lines) break;
            Thread.sleep(50);
        }
        return got;
    }

    @Test
    void reopenAfterRenameWritesToANewFile() throws Exception {
        Path file = tmp.resolve("access.log");
        Path rotated = tmp.resolve("access.log.1");
        AccessLogger l = logger(file);
        try {
            log(l, "/before");
            assertEquals(List.of("/before"), await(file, 1));
            Files.move(file, rotated);
            l.reopenLogs();
            log(l, "/after");
            assertEquals(List.of("/after"), await(file, 1));
            assertEquals(List.of("/before"), Files.readAllLines(rotated));
            assertEquals(1, ctx.stat("reopened"));
        } finally {
            l.close();
        }
    }

    @Test
    void aRenamedFileIsNoticedWithoutASignal() throws Exception {
        Path file = tmp.resolve("quiet.log");
        Path rotated = tmp.resolve("quiet.log.1");
        AccessLogger l = logger(file);
        try {
            log(l, "/one");
            assertEquals(List.of("/one"), await(file, 1));
            Files.move(file, rotated);
            Thread.sleep(1300); // the writer looks at the name once a second
            log(l, "/two");
            assertEquals(List.of("/two"), await(file, 1));
            assertEquals(List.of("/one"), Files.readAllLines(rotated));
        } finally {
            l.close();
        }
    }
}
