package yastack.proxy.edge;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A hand-driven HTTP/2 client over TLS (ALPN h2): it writes whatever frames a test crafts,
 * valid or hostile, and a reader thread collects every frame the server sends. Header
 * blocks are HPACK-encoded with Netty's encoder.
 */
final class H2Wire implements AutoCloseable {
    static final int DATA = 0, HEADERS = 1, PRIORITY = 2, RST_STREAM = 3, SETTINGS = 4, PING = 6, GOAWAY = 7,
            WINDOW_UPDATE = 8, CONTINUATION = 9;
    static final int END_STREAM = 0x1, ACK = 0x1, END_HEADERS = 0x4;
    static final int ENHANCE_YOUR_CALM = 0xb, REFUSED_STREAM = 0x7, CANCEL = 0x8;

    record Frame(int type, int flags, int stream, byte[] payload) {
        int int32(int offset) {
            return (payload[offset] & 0xff) << 24 | (payload[offset + 1] & 0xff) << 16 | (payload[offset + 2] & 0xff) << 8
                    | (payload[offset + 3] & 0xff);
        }
    }

    /** Marks the end of what the server sent: the connection closed (or reset). */
    static final Frame CLOSED = new Frame(-1, 0, 0, new byte[0]);

    final BlockingQueue<Frame> received = new LinkedBlockingQueue<>();
    private final Socket socket;
    private final String scheme;
    private final OutputStream out;
    private final DefaultHttp2HeadersEncoder hpack = new DefaultHttp2HeadersEncoder();
    private final DefaultHttp2HeadersDecoder hpackIn = new DefaultHttp2HeadersDecoder(false);

    /** Over TLS, ALPN h2. */
    H2Wire(int port) throws Exception {
        this(tlsSocket(port));
    }

    /** On {@code socket} as it is (cleartext: prior knowledge): the preface and SETTINGS go out at once. */
    H2Wire(Socket socket) throws Exception {
        this.socket = socket;
        scheme = socket instanceof SSLSocket ? "https" : "http";
        out = socket.getOutputStream();
        Thread reader = new Thread(this::readLoop, "h2wire-reader");
        reader.setDaemon(true);
        reader.start();
        out.write(PREFACE);
        frame(SETTINGS, 0, 0, new byte[0]);
    }

    static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);

    private static Socket tlsSocket(int port) throws Exception {
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, new TrustManager[] {new X509TrustManager() {
            @Override public void checkClientTrusted(X509Certificate[] chain, String authType) { }
            @Override public void checkServerTrusted(X509Certificate[] chain, String authType) { }
            @Override public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
        }}, null);
        SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", port);
        SSLParameters params = socket.getSSLParameters();
        params.setApplicationProtocols(new String[] {"h2"});
        socket.setSSLParameters(params);
        socket.startHandshake();
        if (!"h2".equals(socket.getApplicationProtocol())) throw new IllegalStateException("no h2: " + socket.getApplicationProtocol());
        return socket;
    }

    private void readLoop() {
        try {
            DataInputStream in = new DataInputStream(socket.getInputStream());
            while (true) {
                int length = in.readUnsignedByte() << 16 | in.readUnsignedShort();
                int type = in.readUnsignedByte(), flags = in.readUnsignedByte();
                int stream = in.readInt() & 0x7fffffff;
                byte[] payload = in.readNBytes(length);
                // Acknowledged before a test sees it, so its limits are in force for what the test sends next.
                if (type == SETTINGS && (flags & ACK) == 0) frame(SETTINGS, ACK, 0, new byte[0]);
                received.add(new Frame(type, flags, stream, payload));
            }
        } catch (IOException e) {
            received.add(CLOSED);
        }
    }

    synchronized void frame(int type, int flags, int stream, byte[] payload) throws IOException {
        byte[] f = new byte[9 + payload.length];
        f[0] = (byte) (payload.length >>> 16);
        f[1] = (byte) (payload.length >>> 8);
        f[2] = (byte) payload.length;
        f[3] = (byte) type;
        f[4] = (byte) flags;
        f[5] = (byte) (stream >>> 24);
        f[6] = (byte) (stream >>> 16);
        f[7] = (byte) (stream >>> 8);
        f[8] = (byte) stream;
        System.arraycopy(payload, 0, f, 9, payload.length);
        out.write(f);
    }

    /** A request's header block, HPACK-encoded (this connection's dynamic table). */
    byte[] headerBlock(String method, String path, String... extra) throws Exception {
        // Unvalidated: tests send what a hostile client would
        Http2Headers h = new DefaultHttp2Headers(false).method(method).scheme(scheme).authority("x").path(path);
        for (int i = 0; i < extra.length; i += 2) h.add(extra[i], extra[i + 1]);
        ByteBuf buf = Unpooled.buffer();
        try {
            hpack.encodeHeaders(0, h, buf);
            byte[] b = new byte[buf.readableBytes()];
            buf.readBytes(b);
            return b;
        } finally {
            buf.release();
        }
    }

    /**
     * The fields of a HEADERS frame the server sent (a whole block, no padding or priority, as
     * Netty sends them). Decode every block in the order received: HPACK's table is the connection's.
     */
    Http2Headers headers(Frame f) throws Exception {
        ByteBuf buf = Unpooled.wrappedBuffer(f.payload());
        try {
            return hpackIn.decodeHeaders(f.stream(), buf);
        } finally {
            buf.release();
        }
    }

    void request(int stream, String method, String path, boolean endStream, String... extra) throws Exception {
        frame(HEADERS, END_HEADERS | (endStream ? END_STREAM : 0), stream, headerBlock(method, path, extra));
    }

    void rst(int stream, int error) throws IOException {
        frame(RST_STREAM, 0, stream, int32(error));
    }

    static byte[] int32(int v) {
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }

    /** The next frame of {@code type} (others skipped), or {@link #CLOSED}/null if the connection ends or time runs out first. */
    Frame await(int type, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (true) {
            Frame f = received.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (f == null || f == CLOSED || f.type() == type) return f;
        }
    }

    /** Writes frames until the server stops taking them (it may close mid-flood); true if all went. */
    boolean flood(FrameSource source, int count) {
        try {
            for (int i = 0; i < count; i++) source.write(i);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    interface FrameSource {
        void write(int i) throws Exception;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
