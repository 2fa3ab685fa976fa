package yastack.kernel.dataplane;

import yastack.stack.NetStack;

/** One worker's NetStack for one interface, with where its frames come from and go to. */
final class Shard {
    final int worker;
    final NetStack stack;
    final WorkerCounters counters;
    /** The poller driving it (on the worker's thread). */
    StoppablePoller poller;

    Shard(int worker, NetStack stack, WorkerCounters counters) {
        this.worker = worker;
        this.stack = stack;
        this.counters = counters;
    }
}
