package yastack.kernel.loop;

import io.netty.channel.IoHandle;

/**
 * A Netty {@link IoHandle} whose I/O is driven by this worker's {@link DataPathPoller}s rather
 * than by epoll, such as a channel over the userspace stack. {@link WorkerIoHandler} accepts
 * it so such channels register on the same loop as host sockets; the registration only marks
 * the handle as living on the loop (there are no readiness ops to submit) and is closed with it.
 */
public interface PolledIoHandle extends IoHandle {
}
