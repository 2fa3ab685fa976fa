package yastack.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOutboundBuffer;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import yastack.api.config.Listener;
import yastack.kernel.stats.StatsStore;
import yastack.proxy.edge.AdmissionStats;
import yastack.proxy.overload.OverloadMonitor;

/**
 * Decides on every accepted client connection, before its pipeline is set up: refused
 * (accepted, closed at once and counted) while the overload monitor says so, when its
 * listener already holds {@code max_connections}, or when all listeners together hold the
 * global limit. An admitted one counts until it closes. The counts are shared by every
 * worker and survive reloads, as the connections do. The admitted connections are also the
 * set a drain works through ({@link ConnectionDrain}): one registry per connection, not two.
 */
final class ConnectionAdmission {
    /** One listener's open connections, whichever config they were accepted under. */
    private static final class Open {
        final AtomicInteger count = new AtomicInteger();
        final Set<Channel> channels = ConcurrentHashMap.newKeySet();
        /** Shared by all of them (a listener per connection would cost each one more object). */
        final ChannelFutureListener closed;

        Open(OverloadMonitor overload) {
            closed = f -> {
                channels.remove(f.channel());
                count.decrementAndGet();
                overload.releaseConnection();
            };
        }

        boolean tryAcquire(int max) {
            while (true) {
                int n = count.get();
                if (n >= max) return false;
                if (count.compareAndSet(n, n + 1)) return true;
            }
        }

        /** Bytes written to these connections that the kernel has not taken yet. */
        long bufferedBytes() {
            long total = 0;
            for (Channel c : channels) {
                ChannelOutboundBuffer b = c.unsafe().outboundBuffer();
                if (b != null) total += b.totalPendingWriteBytes();
            }
            return total;
        }
    }

    private final OverloadMonitor overload;
    private final StatsStore stats;
    private final Map<String, Open> listeners = new ConcurrentHashMap<>();

    ConnectionAdmission(OverloadMonitor overload, StatsStore stats) {
        this.overload = overload;
        this.stats = stats;
    }

    private Open open(String listener) {
        return listeners.computeIfAbsent(listener, name -> {
            Open o = new Open(overload);
            stats.registerComputed("listener." + name + ".downstream_cx_tx_bytes_buffered", o::bufferedBytes);
            return o;
        });
    }

    /** True when {@code ch} may be served; otherwise it has been closed and counted. */
    boolean admit(Channel ch, Listener l, AdmissionStats s) {
        if (!overload.acceptingConnections()) {
            s.cxOverloadReject.inc();
            ch.close();
            return false;
        }
        Open o = open(l.getName());
        if (l.getMaxConnections() > 0) {
            if (!o.tryAcquire(l.getMaxConnections())) {
                s.cxOverflow.inc();
                ch.close();
                return false;
            }
        } else {
            o.count.incrementAndGet();
        }
        if (!overload.admitConnection()) {
            o.count.decrementAndGet();
            s.cxGlobalOverflow.inc();
            ch.close();
            return false;
        }
        o.channels.add(ch);
        ch.closeFuture().addListener(o.closed);
        return true;
    }

    /** Calls {@code each} with every admitted connection still open and its listener's name. */
    void forEachOpen(BiConsumer<String, Channel> each) {
        listeners.forEach((name, o) -> o.channels.forEach(ch -> each.accept(name, ch)));
    }

    /** How many admitted connections are still open. */
    int openCount() {
        int n = 0;
        for (Open o : listeners.values()) n += o.channels.size();
        return n;
    }

    /** Whether responses may keep their connection open (the overload monitor's keep-alive action). */
    boolean keepAlive() {
        return overload.keepAlive();
    }
}
