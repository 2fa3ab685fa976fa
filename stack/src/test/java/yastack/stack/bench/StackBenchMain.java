package yastack.stack.bench;

import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import yastack.stack.Clock;

/**
 * Quick benchmark without JMH: the two-stack in-memory link on this thread (bulk Gbit/s, request/response per
 * second, bytes allocated per op), printed beside Linux loopback TCP measured in the same run with JDK sockets.
 * Usage: StackBenchMain [seconds-per-measurement]
 */
public final class StackBenchMain {
    private StackBenchMain() {}

    private static long allocated() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    public static void main(String[] args) throws Exception {
        double secs = args.length > 0 ? Double.parseDouble(args[0]) : 5;
        long dur = (long) (secs * 1e9);

        MemLink.Bulk bulk = new MemLink.Bulk(new MemLink(1500, 1 << 20, Clock.SYSTEM));
        run(() -> bulk.transfer(StackBench.CHUNK), 2_000_000_000L); // warm-up
        long a0 = allocated();
        long t0 = System.nanoTime();
        long bytes = 0;
        long ops = 0;
        while (System.nanoTime() - t0 < dur) {
            bytes += bulk.transfer(StackBench.CHUNK);
            ops++;
        }
        double el = (System.nanoTime() - t0) / 1e9;
        long alloc = allocated() - a0;
        System.out.printf("yastack bulk (1 thread, both stacks): %.2f Gbit/s, %.1f B allocated per 64KiB op%n",
                bytes * 8 / el / 1e9, (double) alloc / ops);
        System.out.printf("  sender: retransmits=%d rto=%d fast=%d no_buffer=%d cwnd=%d srtt=%dus%n",
                bulk.link.a.stats().get("tcp.retransmits"), bulk.link.a.stats().get("tcp.rto_fires"),
                bulk.link.a.stats().get("tcp.fast_retransmits"), bulk.link.a.stats().get("eth.tx.no_buffer"),
                bulk.sender.congestionWindow(), bulk.sender.smoothedRttNanos() / 1000);

        MemLink.RequestResponse rr = new MemLink.RequestResponse(new MemLink(1500, 256 * 1024, Clock.SYSTEM), 64);
        run(rr::transaction, 2_000_000_000L);
        a0 = allocated();
        t0 = System.nanoTime();
        ops = 0;
        while (System.nanoTime() - t0 < dur) {
            rr.transaction();
            ops++;
        }
        el = (System.nanoTime() - t0) / 1e9;
        alloc = allocated() - a0;
        System.out.printf("yastack request/response 64B (1 thread, both stacks): %.0f transactions/s, %.1f B allocated per transaction%n",
                ops / el, (double) alloc / ops);

        linuxLoopback(dur);
    }

    private static void run(Runnable r, long nanos) {
        long t0 = System.nanoTime();
        while (System.nanoTime() - t0 < nanos) {
            r.run();
        }
    }

    /** Linux loopback TCP with JDK blocking sockets: a writer thread and a reader (bulk), ping-pong (RR). */
    static void linuxLoopback(long dur) throws Exception {
        InetAddress lo = InetAddress.getLoopbackAddress();
        try (ServerSocket ss = new ServerSocket(0, 16, lo)) {
            Thread writer = new Thread(() -> {
                try (Socket s = new Socket(lo, ss.getLocalPort())) {
                    OutputStream out = s.getOutputStream();
                    byte[] buf = new byte[256 * 1024];
                    long end = System.nanoTime() + dur + 2_000_000_000L;
                    while (System.nanoTime() < end) {
                        out.write(buf);
                    }
                } catch (Exception ignored) {
                    // reader closed
                }
            });
            writer.start();
            try (Socket s = ss.accept()) {
                InputStream in = s.getInputStream();
                byte[] buf = new byte[256 * 1024];
                long warm = System.nanoTime() + 1_000_000_000L;
                while (System.nanoTime() < warm) {
                    in.read(buf);
                }
                long t0 = System.nanoTime();
                long bytes = 0;
                while (System.nanoTime() - t0 < dur) {
                    int n = in.read(buf);
                    if (n < 0) {
                        break;
                    }
                    bytes += n;
                }
                double el = (System.nanoTime() - t0) / 1e9;
                System.out.printf("linux loopback bulk (JDK sockets, writer + reader threads): %.2f Gbit/s%n", bytes * 8 / el / 1e9);
            }
            writer.join();
        }
        try (ServerSocket ss = new ServerSocket(0, 16, lo)) {
            Thread echo = new Thread(() -> {
                try (Socket s = ss.accept()) {
                    s.setTcpNoDelay(true);
                    InputStream in = s.getInputStream();
                    OutputStream out = s.getOutputStream();
                    byte[] b = new byte[64];
                    while (in.readNBytes(b, 0, 64) == 64) {
                        out.write(b);
                    }
                } catch (Exception ignored) {
                    // client closed
                }
            });
            echo.start();
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(lo, ss.getLocalPort()));
                s.setTcpNoDelay(true);
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                byte[] b = new byte[64];
                long warm = System.nanoTime() + 1_000_000_000L;
                while (System.nanoTime() < warm) {
                    out.write(b);
                    in.readNBytes(b, 0, 64);
                }
                long t0 = System.nanoTime();
                long ops = 0;
                while (System.nanoTime() - t0 < dur) {
                    out.write(b);
                    in.readNBytes(b, 0, 64);
                    ops++;
                }
                double el = (System.nanoTime() - t0) / 1e9;
                System.out.printf("linux loopback request/response 64B (JDK sockets, 2 threads): %.0f transactions/s%n", ops / el);
            }
            echo.join(2000);
        }
    }
}
