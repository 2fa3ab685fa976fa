package yastack.proxy.filter;

import yastack.kernel.plugin.PluginErrors;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;
import yastack.api.ConfiguredNetworkFilter;
import yastack.api.NetworkConnection;
import yastack.api.NetworkFilter;

/**
 * Runs a listener's L4 filters over one connection, on its worker thread:
 * open and downstream bytes through the filters in order, upstream bytes in
 * reverse order. Each method returns whether the connection goes on; on
 * {@code false} the proxy closes it (and then calls {@link #onClose}). A filter
 * that throws is reported to {@link PluginErrors} and closes the connection.
 * Each filter gets its own read-only view of the bytes, so one filter reading
 * them does not hide them from the next.
 */
public final class NetworkFilterChain {
    /** One configured L4 filter, in config order. */
    public record Entry(String name, ConfiguredNetworkFilter filter) {
        public Entry {
            Objects.requireNonNull(name);
            Objects.requireNonNull(filter);
        }
    }

    private final String[] names;
    private final NetworkFilter[] filters;
    private final NetworkConnection connection;
    private final PluginErrors errors;
    private boolean failed;
    private boolean closed;

    public NetworkFilterChain(List<Entry> entries, NetworkConnection connection, PluginErrors errors) {
        this.connection = Objects.requireNonNull(connection);
        this.errors = Objects.requireNonNull(errors);
        int n = entries.size();
        this.names = new String[n];
        this.filters = new NetworkFilter[n];
        for (int i = 0; i < n; i++) {
            names[i] = entries.get(i).name();
            try {
                filters[i] = Objects.requireNonNull(entries.get(i).filter().newConnectionFilter(connection),
                        "newConnectionFilter returned null");
            } catch (RuntimeException | LinkageError e) {
                errors.report(names[i], "newConnectionFilter", e);
                failed = true;
                break;
            }
        }
    }

    /** The connection was accepted; {@code false}: close it. */
    public boolean onOpen() {
        if (failed) return false;
        for (int i = 0; i < filters.length; i++) {
            try {
                if (filters[i].onOpen(connection) == NetworkFilter.Status.CLOSE) return false;
            } catch (RuntimeException | LinkageError e) {
                return fail(i, "onOpen", e);
            }
        }
        return true;
    }

    /** Bytes from the client; {@code false}: close the connection. */
    public boolean onDownstreamData(ByteBuffer data) {
        if (failed) return false;
        for (int i = 0; i < filters.length; i++) {
            try {
                if (filters[i].onDownstreamData(connection, data.asReadOnlyBuffer()) == NetworkFilter.Status.CLOSE) return false;
            } catch (RuntimeException | LinkageError e) {
                return fail(i, "onDownstreamData", e);
            }
        }
        return true;
    }

    /** Bytes from the upstream; {@code false}: close the connection. */
    public boolean onUpstreamData(ByteBuffer data) {
        if (failed) return false;
        for (int i = filters.length - 1; i >= 0; i--) {
            try {
                if (filters[i].onUpstreamData(connection, data.asReadOnlyBuffer()) == NetworkFilter.Status.CLOSE) return false;
            } catch (RuntimeException | LinkageError e) {
                return fail(i, "onUpstreamData", e);
            }
        }
        return true;
    }

    /** The connection closed; every created filter hears it once. */
    public void onClose() {
        if (closed) return;
        closed = true;
        for (int i = 0; i < filters.length; i++) {
            if (filters[i] == null) continue;
            try {
                filters[i].onClose(connection);
            } catch (RuntimeException | LinkageError e) {
                errors.report(names[i], "onClose", e);
            }
        }
    }

    private boolean fail(int i, String where, Throwable e) {
        errors.report(names[i], where, e);
        failed = true;
        return false;
    }
}
