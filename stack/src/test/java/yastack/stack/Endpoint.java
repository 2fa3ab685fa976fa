package yastack.stack;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;

/** A test application on one connection: streams a deterministic byte pattern and verifies what it receives. */
class Endpoint implements TcpHandler {
    TcpConnection conn;
    boolean connected, peerClosed, closed, reset;
    TcpError error;
    long toSend;          // bytes of pattern to send
    long sent;
    boolean shutdownWhenDone;
    boolean closeOnPeerClose;
    boolean reading = true;
    long received;
    long mismatchAt = -1;
    boolean keep;         // keep received bytes in 'data'
    final ByteArrayOutputStream data = new ByteArrayOutputStream();
    private final ByteBuffer in = ByteBuffer.allocate(65536);
    private final ByteBuffer out = ByteBuffer.allocate(65536);
    final int salt;

    Endpoint(int salt) {
        this.salt = salt;
    }

    static byte pattern(long pos, int salt) {
        long x = pos * 0x9E3779B97F4A7C15L + salt;
        return (byte) (x ^ (x >>> 29) ^ (x >>> 47));
    }

    @Override
    public void onConnected(TcpConnection c) {
        conn = c;
        connected = true;
        pump();
    }

    @Override
    public void onReadable(TcpConnection c) {
        conn = c;
        if (reading) {
            drain();
        }
    }

    void drain() {
        while (true) {
            in.clear();
            int n = conn.read(in);
            if (n <= 0) {
                break;
            }
            for (int i = 0; i < n; i++) {
                byte v = in.get(i);
                if (mismatchAt < 0 && v != pattern(received + i, salt ^ 0x55)) {
                    mismatchAt = received + i;
                }
            }
            if (keep) {
                data.write(in.array(), 0, n);
            }
            received += n;
        }
    }

    @Override
    public void onWritable(TcpConnection c) {
        pump();
    }

    void pump() {
        if (conn == null) {
            return;
        }
        while (sent < toSend) {
            out.clear();
            int n = (int) Math.min(out.capacity(), toSend - sent);
            for (int i = 0; i < n; i++) {
                out.put(i, pattern(sent + i, salt));
            }
            out.limit(n);
            int w = conn.write(out);
            sent += w;
            if (w < n) {
                return;
            }
        }
        if (shutdownWhenDone && sent == toSend) {
            shutdownWhenDone = false;
            conn.shutdownOutput();
        }
    }

    @Override
    public void onPeerClosed(TcpConnection c) {
        peerClosed = true;
        if (reading) {
            drain();
        }
        if (closeOnPeerClose) {
            c.close();
        }
    }

    @Override
    public void onClosed(TcpConnection c) {
        closed = true;
    }

    @Override
    public void onReset(TcpConnection c) {
        reset = true;
    }

    @Override
    public void onError(TcpConnection c, TcpError e) {
        error = e;
    }
}
