package yastack.proxy;

import io.netty.channel.socket.DatagramChannel;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import yastack.kernel.util.Logs;
import yastack.proxy.cluster.ClusterRuntime;

/**
 * The DNS clusters of the current snapshot. Before a snapshot is published (start, reload)
 * its DNS clusters are looked up once, so they go live with endpoints (Envoy warms clusters
 * the same way); once published, each refreshes on the first worker's loop and puts changed
 * answers into the current snapshot.
 */
final class DnsDiscovery {
    private static final System.Logger LOG = Logs.get("yastack");
    /** The longest a start or reload waits for first answers; a cluster without one starts empty and keeps asking. */
    private static final long FIRST_ANSWER_MILLIS = 6000;

    private final ProxyWorker worker;
    private final Class<? extends DatagramChannel> udp;
    private final DnsCluster.Publisher publisher;
    private Map<String, DnsCluster> running = Map.of();
    private Map<String, DnsCluster> prepared = Map.of();

    DnsDiscovery(ProxyWorker worker, Class<? extends DatagramChannel> udp, DnsCluster.Publisher publisher) {
        this.worker = worker;
        this.udp = udp;
        this.publisher = publisher;
    }

    /** {@code s} with each of its DNS clusters' first answer in place; they refresh once {@link #follow} publishes them. */
    synchronized ProxySnapshot prepare(ProxySnapshot s) {
        abandonPrepared();
        Map<String, DnsCluster> made = new HashMap<>();
        Map<String, CompletableFuture<ClusterRuntime>> answers = new HashMap<>();
        for (ClusterRuntime c : s.clusters().values()) {
            if (!DnsCluster.isDns(c)) continue;
            DnsCluster d = new DnsCluster(c, worker, udp, publisher);
            made.put(c.name(), d);
            answers.put(c.name(), d.first());
        }
        prepared = made;
        ProxySnapshot out = s;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(FIRST_ANSWER_MILLIS);
        for (var e : answers.entrySet()) {
            try {
                out = out.withCluster(e.getValue().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
            } catch (TimeoutException | ExecutionException ex) {
                LOG.log(System.Logger.Level.WARNING, "cluster " + e.getKey() + ": no DNS answer yet; it starts without endpoints and keeps asking");
                DnsCluster d = made.get(e.getKey());
                out = out.withCluster(d.current().withEndpoints(List.of()));
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return out;
    }

    /** {@code s} is published: its prepared clusters refresh from now on, the ones they replace stop. */
    synchronized void follow(ProxySnapshot s) {
        Map<String, DnsCluster> next = new HashMap<>();
        for (DnsCluster d : prepared.values()) {
            ClusterRuntime live = s.clusters().get(d.name());
            if (live == null) {
                d.stop();
                continue;
            }
            d.adopt(live);
            d.start();
            next.put(d.name(), d);
        }
        prepared = Map.of();
        running.values().forEach(DnsCluster::stop);
        running = next;
    }

    /** A reload that failed after {@link #prepare}: its clusters never went live. */
    synchronized void abandonPrepared() {
        prepared.values().forEach(DnsCluster::stop);
        prepared = Map.of();
    }

    synchronized void stop() {
        abandonPrepared();
        running.values().forEach(DnsCluster::stop);
        running = Map.of();
    }
}
