package yastack.api.testkit;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import yastack.api.HostSet;
import yastack.api.UpstreamHost;

/** A host set of in-memory endpoints, each usable unless marked otherwise. */
public final class TestHosts implements HostSet {
    private final List<Host> hosts = new ArrayList<>();
    private final Map<Object, Object> shared = new HashMap<>();

    /** A mutable endpoint. */
    public static final class Host implements UpstreamHost {
        private final String address;
        private final int port;
        private final int weight;
        private int active;
        private boolean usable = true;

        Host(String address, int port, int weight) {
            this.address = address;
            this.port = port;
            this.weight = weight;
        }

        /** Sets this worker's requests in flight to the endpoint. */
        public Host active(int n) {
            active = n;
            return this;
        }

        public Host usable(boolean u) {
            usable = u;
            return this;
        }

        @Override public String address() { return address; }
        @Override public int port() { return port; }
        @Override public int weight() { return weight; }
        @Override public int activeRequests() { return active; }
    }

    /** Adds an endpoint of weight 1 and returns it (to set its state). */
    public Host add(String address, int port) {
        return add(address, port, 1);
    }

    public Host add(String address, int port, int weight) {
        Host h = new Host(address, port, weight);
        hosts.add(h);
        return h;
    }

    /** How many values {@link #shared} computed (a table built once, not once per pick). */
    public int sharedComputations() {
        return shared.size();
    }

    @Override
    public int size() {
        return hosts.size();
    }

    @Override
    public Host host(int index) {
        return hosts.get(index);
    }

    @Override
    public boolean usable(int index) {
        return hosts.get(index).usable;
    }

    @Override
    public int usableCount() {
        return (int) hosts.stream().filter(h -> h.usable).count();
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T shared(Object key, Function<HostSet, T> compute) {
        return (T) shared.computeIfAbsent(key, k -> compute.apply(this));
    }
}
