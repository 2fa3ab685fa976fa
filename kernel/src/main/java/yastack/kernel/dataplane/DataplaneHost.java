package yastack.kernel.dataplane;

import java.util.concurrent.Executor;
import yastack.kernel.loop.DataPathPoller;
import yastack.kernel.loop.WorkerGroup;

/** The worker loops the data plane runs on: the kernel's worker group, or a benchmark's own threads. */
public interface DataplaneHost {
    int workerCount();

    /** Adds a poller to worker {@code worker}'s loop (takes effect on that thread). */
    void addPoller(int worker, DataPathPoller poller);

    /** Runs tasks on worker {@code worker}'s thread, in order with its polling. */
    Executor executor(int worker);

    static DataplaneHost of(WorkerGroup workers) {
        return new DataplaneHost() {
            @Override
            public int workerCount() {
                return workers.size();
            }

            @Override
            public void addPoller(int worker, DataPathPoller poller) {
                workers.addPoller(worker, poller);
            }

            @Override
            public Executor executor(int worker) {
                return workers.executor(worker);
            }
        };
    }
}
