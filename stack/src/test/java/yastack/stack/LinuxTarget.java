package yastack.stack;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The Linux kernel's TCP as a {@link DiffTarget}: a fresh network namespace (unique name, deleted on close even
 * after a failure) holding a TAP device with our stack's MAC and address. Sockets and the TAP device are created
 * on one thread that entered the namespace (setns(2) changes only the calling thread). The peer's frames are
 * written into the TAP fd; the kernel handles them inside the write(2) call, so after each frame an ICMP echo
 * request marks the end of the answer: every TCP frame read before the echo reply is the answer.
 *
 * <p>The namespace is tuned so the comparison with our stack's defaults is fair: challenge ACKs limited to 1000
 * per second like {@code StackConfig.challengeAcksPerSecond} ({@code tcp_challenge_ack_limit}), no per-socket
 * 500 ms limit on ACKs to out-of-window segments ({@code tcp_invalid_ratelimit=0}; ours has none), timestamps,
 * SACK and window scaling on (both defaults), ECN accepted when asked and never asked for ({@code tcp_ecn=2}, the
 * kernel's default and {@code StackConfig.ecn}'s), IPv6 off so the device carries no unrelated traffic.
 */
final class LinuxTarget implements DiffTarget {
    private static final int CLONE_NEWNET = 0x40000000, O_RDONLY = 0;
    private static final MethodHandle OPEN, SETNS, CLOSE;
    private static int counter;

    static {
        Linker l = Linker.nativeLinker();
        var lk = l.defaultLookup();
        OPEN = l.downcallHandle(lk.find("open").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT),
                Linker.Option.firstVariadicArg(2));
        SETNS = l.downcallHandle(lk.find("setns").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        CLOSE = l.downcallHandle(lk.find("close").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    }

    /** Fails naming what the test needs from the machine: root, /dev/net/tun and the ip and ethtool commands. */
    static void needs(String what) {
        List<String> missing = new ArrayList<>();
        if (!TapHarness.isRoot()) {
            missing.add("root (CAP_NET_ADMIN and CAP_SYS_ADMIN, for a network namespace and a TAP device)");
        }
        if (!Files.exists(Path.of("/dev/net/tun"))) {
            missing.add("/dev/net/tun (modprobe tun)");
        }
        for (String cmd : new String[] {"ip", "ethtool"}) {
            if (!onPath(cmd)) {
                missing.add("the " + cmd + " command (apt-get install -y " + (cmd.equals("ip") ? "iproute2" : cmd) + ")");
            }
        }
        if (!missing.isEmpty()) {
            throw new AssertionError(what + " needs " + String.join(", ", missing)
                    + "; ./test.sh run as root installs the packages (scripts/prerequisites.sh)");
        }
    }

    private static boolean onPath(String cmd) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, cmd))) {
                return true;
            }
        }
        return Files.isExecutable(Path.of("/usr/sbin", cmd)) || Files.isExecutable(Path.of("/sbin", cmd));
    }

    private static synchronized int nextId() {
        return ++counter;
    }

    final String ns;
    private final String dev = "ysdiff0";
    private final ExecutorService inNs;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment rx = arena.allocate(65536);
    private final MemorySegment tx = arena.allocate(65536);
    private final Map<Integer, ServerSocketChannel> listeners = new HashMap<>();
    private final Map<Integer, SocketChannel> clients = new HashMap<>();
    private TapDevice tap;
    private int markerSeq;

    LinuxTarget() throws Exception {
        ns = "ysdiff-" + ProcessHandle.current().pid() + "-" + nextId();
        inNs = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "netns-" + ns);
            t.setDaemon(true);
            return t;
        });
        try {
            TapHarness.sh("ip", "netns", "add", ns);
            sysctl("net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1",
                    "net.ipv4.tcp_challenge_ack_limit=1000", "net.ipv4.tcp_invalid_ratelimit=0",
                    "net.ipv4.tcp_timestamps=1", "net.ipv4.tcp_sack=1", "net.ipv4.tcp_window_scaling=1",
                    "net.ipv4.icmp_ratelimit=0", "net.ipv4.conf.all.accept_source_route=0", "net.ipv4.ipfrag_time=1",
                    "net.ipv4.tcp_ecn=2");
            inNamespace(() -> {
                try {
                    enter();
                    tap = TapDevice.open(dev);
                } catch (Throwable t) {
                    throw t instanceof Exception e ? e : new Exception(t);
                }
                return null;
            });
            ip("link", "set", "dev", dev, "address", Wire.mac(Probe.STACK_MAC));
            ip("link", "set", "dev", dev, "up");
            ip("addr", "add", Wire.ip(Probe.STACK) + "/24", "dev", dev);
            // the kernel knows the peer's MAC, as our stack learns it from the Probe's ARP request
            ip("neigh", "replace", Wire.ip(Probe.PEER), "lladdr", Wire.mac(Probe.PEER_MAC), "dev", dev, "nud", "permanent");
            TapHarness.sh("ip", "netns", "exec", ns, "ethtool", "-K", dev, "tx", "off", "tso", "off", "gso", "off", "gro", "off");
        } catch (Throwable t) {
            close();
            throw t instanceof Exception e ? e : new Exception(t);
        }
    }

    private void sysctl(String... settings) throws Exception {
        String[] cmd = new String[settings.length + 6];
        cmd[0] = "ip";
        cmd[1] = "netns";
        cmd[2] = "exec";
        cmd[3] = ns;
        cmd[4] = "sysctl";
        cmd[5] = "-qw";
        System.arraycopy(settings, 0, cmd, 6, settings.length);
        TapHarness.sh(cmd);
    }

    private void ip(String... args) throws Exception {
        String[] cmd = new String[args.length + 3];
        cmd[0] = "ip";
        cmd[1] = "-n";
        cmd[2] = ns;
        System.arraycopy(args, 0, cmd, 3, args.length);
        TapHarness.sh(cmd);
    }

    /** Moves the calling thread into the namespace. */
    private void enter() throws Throwable {
        try (Arena a = Arena.ofConfined()) {
            int fd = (int) OPEN.invokeExact(a.allocateFrom("/var/run/netns/" + ns), O_RDONLY, 0);
            if (fd < 0) {
                throw new IllegalStateException("cannot open /var/run/netns/" + ns);
            }
            int r = (int) SETNS.invokeExact(fd, CLONE_NEWNET);
            int ignored = (int) CLOSE.invokeExact(fd);
            if (r != 0) {
                throw new IllegalStateException("setns(" + ns + ") failed");
            }
        }
    }

    private <T> T inNamespace(Callable<T> c) throws Exception {
        try {
            return inNs.submit(c).get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof Exception x ? x : new Exception(e.getCause());
        }
    }

    @Override
    public String name() {
        return "linux";
    }

    @Override
    public void listen(int port) throws Exception {
        ServerSocketChannel s = inNamespace(() -> {
            ServerSocketChannel ch = ServerSocketChannel.open();
            ch.bind(new InetSocketAddress(Wire.ip(Probe.STACK), port), 16);
            ch.configureBlocking(false);
            return ch;
        });
        listeners.put(port, s);
    }

    @Override
    public List<Pkt> connect(int localPort, int remotePort) throws Throwable {
        SocketChannel c = inNamespace(() -> {
            SocketChannel ch = SocketChannel.open();
            ch.bind(new InetSocketAddress(Wire.ip(Probe.STACK), localPort));
            ch.configureBlocking(false);
            ch.connect(new InetSocketAddress(Wire.ip(Probe.PEER), remotePort));
            return ch;
        });
        clients.put(localPort, c);
        return collect();
    }

    @Override
    public List<Pkt> send(byte[] frame, boolean settle) throws Throwable {
        long start = System.nanoTime();
        write(frame);
        List<Pkt> answers = collect();
        if (settle) {
            long left = DiffTarget.SETTLE_MS - (System.nanoTime() - start) / 1_000_000;
            if (left > 0) {
                Thread.sleep(left);
            }
            answers.addAll(collect());
        }
        return answers;
    }

    @Override
    public void kernelSetting(String setting) throws Exception {
        sysctl(setting);
    }

    @Override
    public List<byte[]> idle(long ms) throws Throwable {
        Thread.sleep(ms);
        return collectFrames();
    }

    @Override
    public List<Pkt> appWrite(int port, byte[] data) throws Throwable {
        if (connection(port).write(ByteBuffer.wrap(data)) != data.length) {
            throw new IllegalStateException("short write on port " + port);
        }
        return collect();
    }

    /** The connection on {@code port}: the one the application opened, or the listener's, accepted once. */
    private SocketChannel connection(int port) throws Exception {
        SocketChannel c = clients.get(port);
        ServerSocketChannel l = listeners.get(port);
        for (int i = 0; i < 100 && c == null && l != null; i++) {
            c = l.accept();
            if (c == null) {
                Thread.sleep(5);
            }
        }
        if (c == null) {
            throw new IllegalStateException("nothing to accept on port " + port);
        }
        clients.put(port, c);
        c.configureBlocking(false);
        if (c.isConnectionPending() && !c.finishConnect()) {
            throw new IllegalStateException("the connection from port " + port + " is not established");
        }
        return c;
    }

    @Override
    public List<Pkt> appClose(int port) throws Throwable {
        SocketChannel c = connection(port);
        ByteBuffer b = ByteBuffer.allocate(65536);
        while (c.read(b.clear()) > 0) {
            // read what arrived, so closing sends a FIN rather than a RST
        }
        c.close();
        return collect();
    }

    private void write(byte[] frame) throws Throwable {
        MemorySegment.copy(MemorySegment.ofArray(frame), 0, tx, 0, frame.length);
        tap.write(tx, frame.length);
    }

    /** The TCP segments among {@link #collectFrames()}. */
    private List<Pkt> collect() throws Throwable {
        List<Pkt> answers = new ArrayList<>();
        for (byte[] f : collectFrames()) {
            Pkt p = Pkt.parse(f);
            if (p != null) {
                answers.add(p);
            }
        }
        return answers;
    }

    @Override
    public List<byte[]> sendFrame(byte[] frame) throws Throwable {
        write(frame);
        return collectFrames();
    }

    /** Sends an ICMP echo request and returns the frames the kernel sent before its reply. */
    private List<byte[]> collectFrames() throws Throwable {
        int seq = ++markerSeq & 0xffff;
        write(echoRequest(seq));
        List<byte[]> answers = new ArrayList<>();
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (!tap.await(50)) {
                continue;
            }
            int n;
            while ((n = tap.read(rx)) > 0) {
                byte[] f = rx.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
                if (isEchoReply(f, seq)) {
                    return answers;
                }
                answers.add(f);
            }
        }
        throw new IllegalStateException("the kernel did not answer the ICMP echo marker " + seq);
    }

    private static final int MARKER_ID = 0x5944;

    private static byte[] echoRequest(int seq) {
        byte[] f = new byte[14 + 20 + 16];
        ByteBuffer b = ByteBuffer.wrap(f);
        b.putShort(0, (short) (Probe.STACK_MAC >>> 32)).putInt(2, (int) Probe.STACK_MAC);
        b.putShort(6, (short) (Probe.PEER_MAC >>> 32)).putInt(8, (int) Probe.PEER_MAC);
        b.putShort(12, (short) 0x0800);
        b.put(14, (byte) 0x45).putShort(16, (short) 36).putShort(18, (short) seq).put(22, (byte) 64).put(23, (byte) 1);
        b.putInt(26, Probe.PEER).putInt(30, Probe.STACK);
        b.putShort(24, (short) Pkt.csum(f, 14, 20, 0));
        b.put(34, (byte) 8).putShort(38, (short) MARKER_ID).putShort(40, (short) seq).putLong(42, 0x79617374_61636bL);
        b.putShort(36, (short) Pkt.csum(f, 34, 16, 0));
        return f;
    }

    private static boolean isEchoReply(byte[] f, int seq) {
        if (f.length < 42 || f[12] != 8 || f[13] != 0 || f[23] != 1) {
            return false;
        }
        int t = 14 + (f[14] & 15) * 4;
        ByteBuffer b = ByteBuffer.wrap(f);
        return f[t] == 0 && (b.getShort(t + 4) & 0xffff) == MARKER_ID && (b.getShort(t + 6) & 0xffff) == seq;
    }

    @Override
    public void close() throws Exception {
        List<Throwable> errors = new ArrayList<>();
        for (SocketChannel c : clients.values()) {
            try {
                c.close();
            } catch (IOException e) {
                errors.add(e);
            }
        }
        for (ServerSocketChannel s : listeners.values()) {
            try {
                s.close();
            } catch (IOException e) {
                errors.add(e);
            }
        }
        if (tap != null) {
            tap.close();
        }
        inNs.shutdownNow();
        TapHarness.run("ip", "netns", "del", ns);
        arena.close();
        if (!errors.isEmpty()) {
            throw new Exception("closing " + ns, errors.get(0));
        }
    }
}
