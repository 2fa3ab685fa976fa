package yastack.proxy.edge;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import yastack.proxy.fixtures.TestUpstream;

/** A test class whose proxies all forward to one real upstream, {@link #up}, started once for the class. */
abstract class OneUpstream {
    static TestUpstream up;

    @BeforeAll
    static void startUpstream() throws Exception {
        up = new TestUpstream("up");
    }

    @AfterAll
    static void stopUpstream() {
        up.close();
    }
}
