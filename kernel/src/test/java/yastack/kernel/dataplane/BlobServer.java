package yastack.kernel.dataplane;

import yastack.kernel.dataplane.Rig;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.atomic.AtomicIntegerArray;
import yastack.kernel.fixtures.NetSetup;
import yastack.stack.TcpConnection;
import yastack.stack.TcpHandler;

/**
 * A tiny HTTP/1.0 responder on every shard's listener: whatever the request, it answers with
 * the same pseudo-random body and closes, so {@code curl} on the kernel side can fetch it and
 * the test can compare SHA-256 digests.
 */
final class BlobServer {
    final byte[] body;
    final String sha256;
    final AtomicIntegerArray servedBy;
    private final ByteBuffer response;

    BlobServer(int size, int workers) {
        body = new byte[size];
        new Random(size).nextBytes(body);
        sha256 = sha256(body);
        byte[] head = ("HTTP/1.0 200 OK\r\nContent-Length: " + size + "\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        ByteBuffer r = ByteBuffer.allocate(head.length + size);
        r.put(head).put(body).flip();
        response = r.asReadOnlyBuffer();
        servedBy = new AtomicIntegerArray(workers);
    }

    static String sha256(byte[] b) {
        return NetSetup.sha256(b);
    }

    void listen(Rig rig, String iface, int port) {
        for (int w = 0; w < rig.dp.workerCount(); w++) {
            int worker = w;
            rig.onWorker(w, () -> rig.dp.shard(worker, iface).listen(port, 128, c -> handler(worker)));
        }
    }

    private TcpHandler handler(int worker) {
        servedBy.incrementAndGet(worker);
        ByteBuffer out = response.duplicate();
        ByteBuffer discard = ByteBuffer.allocate(2048);
        return new TcpHandler() {
            @Override
            public void onConnected(TcpConnection c) {
                push(c);
            }

            @Override
            public void onWritable(TcpConnection c) {
                push(c);
            }

            @Override
            public void onReadable(TcpConnection c) {
                while (c.read(discard.clear()) > 0) {
                    // the request does not matter
                }
            }

            private void push(TcpConnection c) {
                if (!out.hasRemaining()) {
                    return;
                }
                while (out.hasRemaining() && c.write(out) > 0) {
                    // fill the send buffer
                }
                if (!out.hasRemaining()) {
                    c.close();
                }
            }
        };
    }
}
