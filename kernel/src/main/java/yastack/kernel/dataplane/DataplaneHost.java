package yastack.kernel.dataplane;

import java.util.concurrent.Executor;
import yastack.kernel.loop.DataPathPoller;
import yastack.kernel.proxy.ProxyServer;

/** The worker loops the data plane runs on: the proxy's Netty workers, or a test's own threads. */
public interface DataplaneHost {
    int workerCount();

    /** Adds a poller to worker {@code worker}'s loop (takes effect on that thread). */
    void addPoller(int worker, DataPathPoller poller);

    /** Runs tasks on worker {@code worker}'s thread, in order with its polling. */
    Executor executor(int worker);

    static DataplaneHost of(ProxyServer proxy) {
        return new DataplaneHost() {
            @Override
            public int workerCount() {
                return proxy.workerCount();
            }

            @Override
            public void addPoller(int worker, DataPathPoller poller) {
                proxy.addPoller(worker, poller);
            }

            @Override
            public Executor executor(int worker) {
                return proxy.workerLoop(worker);
            }
        };
    }
}
