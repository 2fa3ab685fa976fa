package yastack.proxy.filter;

import yastack.api.testkit.TestWorker;
import yastack.kernel.plugin.PluginErrors;
import yastack.kernel.plugin.PluginStatsRegistry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import yastack.api.NetworkConnection;
import yastack.api.NetworkFilter;
import yastack.api.WorkerContext;

class NetworkFilterChainTest {
    private final PluginStatsRegistry stats = new PluginStatsRegistry();
    private final PluginErrors errors = new PluginErrors(stats);
    private final List<String> trace = new ArrayList<>();

    private final NetworkConnection conn = new NetworkConnection() {
        private final Map<String, Object> attrs = new HashMap<>();

        @Override
        public long id() {
            return 9;
        }

        @Override
        public String listenerName() {
            return "tcp";
        }

        @Override
        public InetSocketAddress remoteAddress() {
            return new InetSocketAddress("127.0.0.2", 3000);
        }

        @Override
        public InetSocketAddress localAddress() {
            return new InetSocketAddress("127.0.0.1", 5432);
        }

        @Override
        public long bytesReceived() {
            return 0;
        }

        @Override
        public long bytesSent() {
            return 0;
        }

        @Override
        public WorkerContext worker() {
            return new TestWorker();
        }

        @Override
        public void close() {
            trace.add("closed by filter");
        }

        @Override
        public Map<String, Object> attributes() {
            return attrs;
        }
    };

    /** Records what it sees; closes the connection when it sees {@code banned}. */
    private NetworkFilterChain.Entry watcher(String name, String banned) {
        return new NetworkFilterChain.Entry(name, c -> new NetworkFilter() {
            @Override
            public Status onOpen(NetworkConnection connection) {
                trace.add(name + " open " + connection.remoteAddress().getPort());
                return Status.CONTINUE;
            }

            @Override
            public Status onDownstreamData(NetworkConnection connection, ByteBuffer data) {
                String s = StandardCharsets.UTF_8.decode(data).toString();
                trace.add(name + " down " + s);
                return s.contains(banned) ? Status.CLOSE : Status.CONTINUE;
            }

            @Override
            public Status onUpstreamData(NetworkConnection connection, ByteBuffer data) {
                trace.add(name + " up " + StandardCharsets.UTF_8.decode(data));
                return Status.CONTINUE;
            }

            @Override
            public void onClose(NetworkConnection connection) {
                trace.add(name + " close");
            }
        });
    }

    private static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void passesBytesThroughEveryFilterAndClosesOnRequest() {
        NetworkFilterChain chain = new NetworkFilterChain(List.of(watcher("a", "DROP"), watcher("b", "nothing")), conn, errors);
        assertTrue(chain.onOpen());
        assertTrue(chain.onDownstreamData(bytes("hello")));
        assertTrue(chain.onUpstreamData(bytes("world")));
        assertFalse(chain.onDownstreamData(bytes("DROP TABLE")));
        chain.onClose();
        chain.onClose();
        assertEquals(List.of("a open 3000", "b open 3000", "a down hello", "b down hello", "b up world", "a up world",
                "a down DROP TABLE", "a close", "b close"), trace);
    }

    @Test
    void throwingFilterClosesTheConnectionAndCountsAnError() {
        NetworkFilterChain chain = new NetworkFilterChain(List.of(new NetworkFilterChain.Entry("bad", c -> new NetworkFilter() {
            @Override
            public Status onDownstreamData(NetworkConnection connection, ByteBuffer data) {
                throw new IllegalStateException("parser bug");
            }
        }), watcher("b", "x")), conn, errors);
        assertTrue(chain.onOpen());
        assertFalse(chain.onDownstreamData(bytes("abc")));
        assertFalse(chain.onUpstreamData(bytes("abc")), "a failed chain stays failed");
        assertEquals(1L, stats.snapshot().get("plugin.bad.errors"));
        assertEquals(List.of("b open 3000"), trace);
    }
}
