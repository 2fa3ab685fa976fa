package yastack.kernel.transport;

import java.util.List;
import yastack.kernel.transport.LocalPortChooser;
import yastack.stack.NetStack;

/**
 * What the proxy needs from the data plane to open userspace sockets on a worker: the
 * stack shards a listener binds on, and for an upstream the shard that routes to it and
 * a source-port chooser that keeps the return flow on this worker.
 */
public interface UserspaceNetwork {
    /** The shards of worker {@code worker} a listener on {@code address} binds on (0.0.0.0: every interface). */
    List<NetStack> listenerShards(int worker, String address);

    /** The shard of worker {@code worker} whose interface routes to {@code remote}. */
    NetStack upstreamShard(int worker, String remote);

    /** A source-port chooser for connections from {@code shard} on worker {@code worker}. */
    LocalPortChooser portChooser(int worker, NetStack shard);
}
