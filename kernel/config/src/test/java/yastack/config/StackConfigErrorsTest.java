package yastack.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Bad userspace-stack configs: the stack section, interfaces, userspace flavors. */
class StackConfigErrorsTest extends ConfigErrorAssertions {
    @Test
    void steeringShorthandAndScriptAreExclusive() throws IOException {
        Files.writeString(dir.resolve("s.js"), "");
        assertError(single("""
                stack:
                  rss:
                    steering: {plugin: toeplitz, script: s.js}
                """), "stack.rss.steering", 3, "has plugin and script; give exactly one of plugin or script");
    }

    @Test
    void userspaceWithoutStack() {
        List<ConfigError> es = errors("""
                listeners:
                  - {name: u, port: 80, flavor: userspace, tcp: {cluster: c}}
                clusters:
                  - name: c
                    flavor: userspace
                    endpoints: [{address: 10.0.0.1, port: 1}]
                """);
        assertEquals(2, es.size(), es::toString);
        assertError(es.get(0), "listeners[0].flavor", 2, "flavor userspace needs a stack: section with an interface");
        assertError(es.get(1), "clusters[0].flavor", 5, "flavor userspace needs a stack: section with an interface");
    }

    @Test
    void userspaceListenerMustUseAnInterfaceAddress() {
        assertError(single("""
                stack:
                  interfaces: [{backend: tap, ip: 10.9.0.2/24}]
                listeners:
                  - name: u
                    address: 10.9.0.3
                    port: 80
                    flavor: userspace
                    tcp: {cluster: c}
                clusters: [{name: c, endpoints: [{address: 10.9.0.1, port: 1}]}]
                """), "listeners[0].address", 5, "a userspace listener must listen on 0.0.0.0 or an interface address (10.9.0.2)");
    }

    @Test
    void badInterfaces() {
        List<ConfigError> es = errors("""
                stack:
                  interfaces:
                    - name: a
                      backend: tap
                      ip: 10.0.0.300/24
                    - name: b
                      backend: tap
                      ip: 10.0.0.2
                    - name: c
                      backend: tap
                      ip: 10.0.1.2/24
                      gateway: 10.0.2.1
                      mtu: 10000
                    - name: d
                      backend: netmap
                      ip: 10.0.3.0/24
                """);
        assertEquals(6, es.size(), es::toString);
        assertError(es.get(0), "stack.interfaces[0].ip", 5, "'10.0.0.300' is not an IPv4 address");
        assertError(es.get(1), "stack.interfaces[1].ip", 8, "must be an IPv4 address with a prefix length");
        assertError(es.get(2), "stack.interfaces[2].gateway", 12, "gateway 10.0.2.1 is outside the interface subnet 10.0.1.2/24");
        assertError(es.get(3), "stack.interfaces[2].mtu", 13, "must be 68..9000, got 10000");
        assertError(es.get(4), "stack.interfaces[3].backend", 15, "must be dpdk or tap, got 'netmap'");
        assertError(es.get(5), "stack.interfaces[3].ip", 16, "is the network address of its subnet");
    }

    @Test
    void dpdkBackendWithoutDpdkInstalled() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse("""
                stack:
                  interfaces:
                    - {name: p0, backend: dpdk, ip: 10.0.0.2/24}
                """, dir, () -> false));
        assertEquals(1, e.errors().size());
        assertError(e.errors().getFirst(), "stack.interfaces[0].backend", 3,
                "install it with: apt-get install -y dpdk libdpdk-dev");
    }

    @Test
    void tcpKnobsOutOfTheirRanges() {
        List<ConfigError> es = errors("""
                stack:
                  tcp:
                    sack: false
                    send_buffer: 1024
                    receive_buffer: 2147483648
                    syn_retries: 0
                    keepalive_probes: 200
                    delayed_ack: 500ms
                    min_rto: 2s
                    max_rto: 1s
                    initial_rto: 5s
                    time_wait: 0s
                    fin_timeout: -1s
                """);
        assertEquals(9, es.size(), es::toString);
        assertError(es.get(0), "stack.tcp.send_buffer", 4, "must be 2048..1073741824, got 1024");
        assertError(es.get(1), "stack.tcp.receive_buffer", 5, "must be 2048..1073741824, got 2147483648");
        assertError(es.get(2), "stack.tcp.syn_retries", 6, "must be 1..127, got 0");
        assertError(es.get(3), "stack.tcp.keepalive_probes", 7, "must be 1..127, got 200");
        assertError(es.get(4), "stack.tcp.delayed_ack", 8, "must be below 500ms (RFC 9293 3.8.6.3)");
        assertError(es.get(5), "stack.tcp.max_rto", 10, "must be at least min_rto (2000ms)");
        assertError(es.get(6), "stack.tcp.initial_rto", 11, "must be at most max_rto (1000ms)");
        assertError(es.get(7), "stack.tcp.time_wait", 12, "must be greater than 0");
        assertError(es.get(8), "stack.tcp.fin_timeout", 13, "must be greater than 0");
    }

    @Test
    void tcpKnobsWithinTheirRangesAreAccepted() throws ConfigException {
        var tcp = ConfigLoader.parse("""
                stack:
                  tcp: {sack: false, timestamps: false, window_scaling: false, ecn: false, syn_cookies: true,
                        syn_backlog: 64, send_buffer: 65536, receive_buffer: 1073741824, delayed_ack: 0s,
                        initial_rto: 200ms, min_rto: 100ms, max_rto: 10s, syn_retries: 3, synack_retries: 0,
                        retries: 8, time_wait: 2s, fin_timeout: 5s, challenge_ack_limit: 0,
                        keepalive_time: 30s, keepalive_interval: 5s, keepalive_probes: 3}
                """, dir, () -> true).bootstrap().getStack().getTcp();
        assertEquals(false, tcp.getSack());
        assertEquals(true, tcp.hasSack());
        assertEquals(0, tcp.getSynackRetries());
        assertEquals(true, tcp.hasSynackRetries(), "an explicit 0 is kept apart from unset");
        assertEquals(10, tcp.getMaxRto().getSeconds());
    }

    @Test
    void stackModes() {
        List<ConfigError> es = errors("""
                stack:
                  idle: sleepy
                  rss: {mode: magic}
                """);
        assertEquals(2, es.size(), es::toString);
        assertError(es.get(0), "stack.idle", 2, "must be adaptive or busy, got 'sleepy'");
        assertError(es.get(1), "stack.rss.mode", 3, "must be hardware or software, got 'magic'");
    }

    @Test
    void hostTransportIsOneOfFourNames() throws ConfigException {
        List<ConfigError> es = errors("""
                workers: 1
                host_transport: uring
                """);
        assertEquals(1, es.size(), es::toString);
        assertError(es.getFirst(), "host_transport", 2, "must be auto, io_uring, epoll or nio, got 'uring'");
        for (String ok : List.of("auto", "io_uring", "epoll", "nio")) {
            assertEquals(ok, ConfigLoader.parse("host_transport: " + ok + "\n", dir, () -> true).bootstrap().getHostTransport());
        }
    }
}
