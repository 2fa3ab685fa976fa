package yastack.kernel.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import java.net.InetSocketAddress;

/** One socket flavor for the conformance suite: where servers listen and clients connect from. */
interface Fixture extends AutoCloseable {
    String name();

    Worker serverWorker();

    Worker clientWorker();

    /** A server bootstrap on the server worker with the flavor's channel; children on the same loop. */
    ServerBootstrap server();

    /** A client bootstrap on the client worker with the flavor's channel. */
    Bootstrap client();

    /** Where a server binds: the flavor's address with port 0. */
    InetSocketAddress bindAddress();

    /** An address with nothing listening: connecting is refused. */
    InetSocketAddress refusingAddress() throws Exception;

    /** An address whose SYNs go unanswered, kept so until the returned handle is closed. */
    Blackhole blackhole() throws Exception;

    interface Blackhole extends AutoCloseable {
        InetSocketAddress address();

        @Override
        void close();
    }

    @Override
    void close();
}
