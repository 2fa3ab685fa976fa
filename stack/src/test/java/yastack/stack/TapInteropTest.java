package yastack.stack;

import static org.junit.jupiter.api.Assertions.*;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Java stack against the real Linux TCP/IP stack over a TAP device (needs root; CI runs as root). */
class TapInteropTest {
    static final int BULK = 16 << 20;

    @BeforeAll
    static void needRoot() {
        // Not optional: CI runs these as root. Without root or tun, fail saying so.
        if (!TapHarness.isRoot() || !new java.io.File("/dev/net/tun").exists()) {
            throw new AssertionError("TAP interop tests need root (CAP_NET_ADMIN, to create a TAP device) and /dev/net/tun"
                    + " (modprobe tun); run ./test.sh as root");
        }
    }

    /** Serves "hello" over HTTP/1.1 and closes after each response. */
    static final class TinyHttp implements TcpHandler {
        private final StringBuilder req = new StringBuilder();
        private final ByteBuffer buf = ByteBuffer.allocate(4096);

        @Override
        public void onReadable(TcpConnection c) {
            buf.clear();
            while (c.read(buf) > 0) {
                buf.flip();
                req.append(StandardCharsets.ISO_8859_1.decode(buf));
                buf.clear();
            }
            if (req.indexOf("\r\n\r\n") >= 0) {
                String body = "hello from yastack\n";
                String resp = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + body.length()
                        + "\r\nConnection: close\r\n\r\n" + body;
                c.write(ByteBuffer.wrap(resp.getBytes(StandardCharsets.ISO_8859_1)));
                c.close();
            }
        }
    }

    /** Hashes everything it reads; completes when the peer closes. */
    static final class HashingReader implements TcpHandler {
        final MessageDigest md = sha();
        final CompletableFuture<String> done = new CompletableFuture<>();
        long bytes;
        private final ByteBuffer buf = ByteBuffer.allocate(65536);

        @Override
        public void onReadable(TcpConnection c) {
            int n;
            while (true) {
                buf.clear();
                n = c.read(buf);
                if (n <= 0) {
                    break;
                }
                md.update(buf.array(), 0, n);
                bytes += n;
            }
        }

        @Override
        public void onPeerClosed(TcpConnection c) {
            onReadable(c);
            c.close();
            done.complete(HexFormat.of().formatHex(md.digest()));
        }

        @Override
        public void onReset(TcpConnection c) {
            done.completeExceptionally(new IllegalStateException("reset after " + bytes));
        }
    }

    /** Writes a seeded random stream, hashing it, then half-closes. */
    static final class HashingWriter implements TcpHandler {
        final MessageDigest md = sha();
        final CompletableFuture<String> written = new CompletableFuture<>();
        final CompletableFuture<TcpError> failed = new CompletableFuture<>();
        final SplittableRandom rnd = new SplittableRandom(99);
        long remaining;
        private final byte[] chunk = new byte[32768];
        private final ByteBuffer pending = ByteBuffer.allocate(32768).limit(0);

        HashingWriter(long total) {
            remaining = total;
        }

        @Override
        public void onConnected(TcpConnection c) {
            pump(c);
        }

        @Override
        public void onWritable(TcpConnection c) {
            pump(c);
        }

        void pump(TcpConnection c) {
            while (true) {
                if (!pending.hasRemaining()) {
                    if (remaining == 0) {
                        c.shutdownOutput();
                        written.complete(HexFormat.of().formatHex(md.digest()));
                        return;
                    }
                    int n = (int) Math.min(chunk.length, remaining);
                    rnd.nextBytes(chunk);
                    md.update(chunk, 0, n);
                    remaining -= n;
                    pending.clear();
                    pending.put(chunk, 0, n).flip();
                }
                if (c.write(pending) == 0) {
                    return;
                }
            }
        }

        @Override
        public void onError(TcpConnection c, TcpError e) {
            failed.complete(e);
        }
    }

    static MessageDigest sha() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void pingAndCurl() throws Throwable {
        try (TapHarness h = new TapHarness(null)) {
            h.call(() -> h.stack.listen(8080, 64, c -> new TinyHttp()));
            assertEquals(0, TapHarness.run("ping", "-c", "3", "-i", "0.2", "-W", "2", h.stackIp), "ping");
            assertTrue(h.call(() -> h.stack.stats().get("icmp.echo_replies_sent")) >= 3);
            // fragmented both ways: Linux fragments the request, the stack reassembles and fragments its reply
            assertEquals(0, TapHarness.run("ping", "-c", "2", "-i", "0.2", "-W", "2", "-s", "3000", h.stackIp), "ping -s 3000");
            assertTrue(h.call(() -> h.stack.stats().get("ip.frag.reassembled")) >= 2);
            for (int i = 0; i < 3; i++) {
                String out = TapHarness.sh("curl", "-s", "-m", "10", "http://" + h.stackIp + ":8080/");
                assertEquals("hello from yastack\n", out);
            }
            // JDK HttpClient, several requests in flight on separate connections
            try (java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder()
                    .connectTimeout(java.time.Duration.ofSeconds(5)).build()) {
                java.util.List<CompletableFuture<java.net.http.HttpResponse<String>>> all = new java.util.ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    all.add(client.sendAsync(java.net.http.HttpRequest.newBuilder(
                                    java.net.URI.create("http://" + h.stackIp + ":8080/r" + i)).timeout(java.time.Duration.ofSeconds(10)).build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString()));
                }
                for (var f : all) {
                    var r = f.get(20, TimeUnit.SECONDS);
                    assertEquals(200, r.statusCode());
                    assertEquals("hello from yastack\n", r.body());
                }
            }
            assertTrue(h.call(() -> h.stack.stats().get("tcp.connections_opened_passive")) >= 23);
            assertNull(h.failure);
        }
    }

    @Test
    void bulkBothWaysWithSha256() throws Throwable {
        try (TapHarness h = new TapHarness(null)) {
            bulkKernelToStack(h, BULK);
            bulkStackToKernel(h, BULK);
            assertNull(h.failure);
        }
    }

    @Test
    void bulkBothWaysUnderNetem() throws Throwable {
        try (TapHarness h = new TapHarness(null)) {
            boolean netem = h.netem("netem", "delay", "1ms", "loss", "3%", "reorder", "10%", "duplicate", "1%");
            if (!netem) {
                System.out.println("tc netem is not available in this kernel; the harness impairs both directions itself");
            }
            // the stack's transmit direction is impaired by the harness either way; without netem the receive side too
            h.loss = 0.03;
            h.reorder = 0.10;
            h.dup = 0.01;
            h.impairReceive = !netem;
            bulkKernelToStack(h, BULK / 4);
            bulkStackToKernel(h, BULK / 4);
            assertTrue(h.call(() -> h.stack.stats().get("tcp.retransmits")) > 0);
            assertNull(h.failure);
        }
    }

    @Test
    void stackSenderRidesOutAZeroWindowFromLinux() throws Throwable {
        try (TapHarness h = new TapHarness(null)) {
            bulkStackToKernel(h, 4 << 20, 1500);
            assertTrue(h.call(() -> h.stack.stats().get("tcp.zero_window_probes")) > 0, "Linux closed its window");
            assertNull(h.failure);
        }
    }

    @Test
    void linuxKeepaliveProbesAreAnswered() throws Throwable {
        try (TapHarness h = new TapHarness(null)) {
            HashingReader reader = new HashingReader();
            h.call(() -> h.stack.listen(9100, 4, c -> reader));
            try (Socket s = new Socket()) {
                s.bind(new InetSocketAddress(InetAddress.getByName(h.kernelIp), 0));
                s.setKeepAlive(true);
                s.setOption(jdk.net.ExtendedSocketOptions.TCP_KEEPIDLE, 1);
                s.setOption(jdk.net.ExtendedSocketOptions.TCP_KEEPINTERVAL, 1);
                s.setOption(jdk.net.ExtendedSocketOptions.TCP_KEEPCOUNT, 2);
                s.connect(new InetSocketAddress(h.stackIp, 9100), 5000);
                long before = h.call(() -> h.stack.stats().get("tcp.rx"));
                Thread.sleep(3500); // Linux would give up after 1 + 2 x 1 s of unanswered probes
                long probes = h.call(() -> h.stack.stats().get("tcp.rx")) - before;
                assertTrue(probes >= 2, "keepalive probes arrived: " + probes);
                s.getOutputStream().write(new byte[1000]);
                s.shutdownOutput();
                reader.done.get(10, TimeUnit.SECONDS);
                assertEquals(1000, reader.bytes, "the connection survived the idle period");
            }
            assertNull(h.failure);
        }
    }

    @Test
    void linuxCompletesSynCookieHandshakes() throws Throwable {
        try (TapHarness h = new TapHarness(c -> c.synCookieThreshold(0))) { // every SYN is answered with a cookie
            TcpConnection[] accepted = new TcpConnection[1];
            HashingReader reader = new HashingReader();
            h.call(() -> h.stack.listen(9200, 4, c -> {
                accepted[0] = c;
                return reader;
            }));
            MessageDigest md = sha();
            try (Socket s = new Socket()) {
                s.bind(new InetSocketAddress(InetAddress.getByName(h.kernelIp), 0));
                s.connect(new InetSocketAddress(h.stackIp, 9200), 5000);
                byte[] chunk = new byte[65536];
                new SplittableRandom(3).nextBytes(chunk);
                for (int i = 0; i < 32; i++) {
                    md.update(chunk);
                    s.getOutputStream().write(chunk);
                }
                s.shutdownOutput();
                assertEquals(HexFormat.of().formatHex(md.digest()), reader.done.get(30, TimeUnit.SECONDS));
            }
            assertEquals(1L, h.call(() -> h.stack.stats().get("tcp.syn_cookies_accepted")));
            assertTrue(h.call(() -> accepted[0].windowScaling() && accepted[0].sack() && accepted[0].timestamps()),
                    "options recovered from the timestamp echo");
            assertNull(h.failure);
        }
    }

    @Test
    void udpEchoWithLinuxIncludingFragmentedDatagrams() throws Throwable {
        try (TapHarness h = new TapHarness(null)) {
            h.call(() -> h.stack.openUdp(7000, sock -> {
                ByteBuffer b = ByteBuffer.allocate(65536);
                while (true) {
                    b.clear();
                    if (sock.receive(b) < 0) {
                        return;
                    }
                    b.flip();
                    sock.send(sock.lastAddress(), sock.lastPort(), b);
                }
            }));
            try (java.net.DatagramSocket ds = new java.net.DatagramSocket(new InetSocketAddress(InetAddress.getByName(h.kernelIp), 0))) {
                ds.setSoTimeout(5000);
                for (int size : new int[] {100, 3000, 1472}) {
                    byte[] out = new byte[size];
                    new SplittableRandom(size).nextBytes(out);
                    ds.send(new java.net.DatagramPacket(out, size, InetAddress.getByName(h.stackIp), 7000));
                    byte[] in = new byte[65536];
                    java.net.DatagramPacket p = new java.net.DatagramPacket(in, in.length);
                    ds.receive(p);
                    assertEquals(size, p.getLength());
                    assertArrayEquals(out, java.util.Arrays.copyOf(in, size));
                }
            }
            assertNull(h.failure);
        }
    }

    private static void bulkKernelToStack(TapHarness h, int size) throws Exception {
        HashingReader reader = new HashingReader();
        TcpListener l = h.call(() -> h.stack.listen(9000, 16, c -> reader));
        MessageDigest md = sha();
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName(h.kernelIp), 0));
            s.connect(new InetSocketAddress(h.stackIp, 9000), 5000);
            OutputStream out = s.getOutputStream();
            SplittableRandom rnd = new SplittableRandom(5);
            byte[] chunk = new byte[65536];
            for (int sent = 0; sent < size; sent += chunk.length) {
                rnd.nextBytes(chunk);
                md.update(chunk);
                out.write(chunk);
            }
            s.shutdownOutput();
            String got = reader.done.get(120, TimeUnit.SECONDS);
            assertEquals(HexFormat.of().formatHex(md.digest()), got);
            assertEquals(-1, s.getInputStream().read(), "stack closed its side too");
        }
        h.call(() -> {
            l.close();
            return null;
        });
    }

    private static void bulkStackToKernel(TapHarness h, int size) throws Exception {
        bulkStackToKernel(h, size, 0);
    }

    /** The kernel side accepts, then waits pauseMs before reading (its small buffer fills: zero window). */
    private static void bulkStackToKernel(TapHarness h, int size, int pauseMs) throws Exception {
        try (ServerSocket ss = new ServerSocket()) {
            if (pauseMs > 0) {
                ss.setReceiveBufferSize(8192);
            }
            ss.bind(new InetSocketAddress(InetAddress.getByName(h.kernelIp), 0));
            ss.setSoTimeout(10_000);
            HashingWriter w = new HashingWriter(size);
            int kernel = Wire.parseIp(h.kernelIp);
            h.call(() -> h.stack.connect(kernel, ss.getLocalPort(), h.stack.pickEphemeralPort(kernel, ss.getLocalPort(), p -> true), w));
            try (Socket s = ss.accept()) {
                s.setSoTimeout(120_000);
                if (pauseMs > 0) {
                    Thread.sleep(pauseMs);
                }
                MessageDigest md = sha();
                InputStream in = s.getInputStream();
                byte[] buf = new byte[65536];
                long total = 0;
                int n;
                while ((n = in.read(buf)) > 0) {
                    md.update(buf, 0, n);
                    total += n;
                }
                assertEquals(size, total);
                assertEquals(w.written.get(10, TimeUnit.SECONDS), HexFormat.of().formatHex(md.digest()));
            }
        }
    }
}
