package yastack.config;

import com.google.protobuf.Duration;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import yastack.api.config.Bootstrap;
import yastack.api.config.Interface;
import yastack.api.config.Rss;
import yastack.api.config.Stack;
import yastack.api.config.StackTcp;
import yastack.api.config.SteeringRef;

/** Semantic checks for the userspace stack section and its interfaces. */
final class StackValidator {
    static final String INSTALL_DPDK = "install it with: apt-get install -y dpdk libdpdk-dev";
    /** Linux interface names are at most IFNAMSIZ - 1 characters. */
    private static final int MAX_TAP_NAME = 15;

    private final Bootstrap config;
    private final Findings f;
    private final BooleanSupplier dpdkInstalled;
    private final List<InetAddress> addresses = new ArrayList<>();
    private final List<String> addressTexts = new ArrayList<>();

    StackValidator(Bootstrap config, Findings f, BooleanSupplier dpdkInstalled) {
        this.config = config;
        this.f = f;
        this.dpdkInstalled = dpdkInstalled;
    }

    /** The interfaces' own addresses, known after {@link #validate()}. */
    List<InetAddress> interfaceAddresses() {
        return addresses;
    }

    List<String> interfaceAddressTexts() {
        return addressTexts;
    }

    /** For a userspace listener or cluster at {@code path}: errors unless a stack has an interface. */
    boolean requireInterfaces(String path) {
        if (config.getStack().getInterfacesCount() > 0) return true;
        f.error(path, ConfigValidator.NEEDS_STACK);
        return false;
    }

    void validate() {
        if (!config.hasStack()) return;
        Stack s = config.getStack();
        String idle = s.getIdle();
        if (f.given("stack.idle", idle) && !idle.equals("adaptive") && !idle.equals("busy")) {
            f.error("stack.idle", "must be adaptive or busy, got '" + idle + "'");
        }
        Set<Integer> cores = new HashSet<>();
        for (int i = 0; i < s.getCoresCount(); i++) {
            if (!cores.add(s.getCores(i))) f.error("stack.cores[" + i + "]", "core " + s.getCores(i) + " is listed twice");
        }
        if (s.hasRss()) rss("stack.rss", s.getRss());
        if (s.hasTcp()) tcp("stack.tcp", s.getTcp());
        Map<String, Integer> names = new HashMap<>();
        for (int i = 0; i < s.getInterfacesCount(); i++) {
            String path = "stack.interfaces[" + i + "]";
            Interface itf = s.getInterfaces(i);
            if (!itf.getName().isEmpty()) {
                Integer first = names.putIfAbsent(itf.getName(), i);
                if (first != null) {
                    f.error(path + ".name", "duplicate interface name '" + itf.getName()
                            + "' (first used by stack.interfaces[" + first + "])");
                }
            }
            iface(path, itf);
        }
    }

    private void rss(String path, Rss rss) {
        String mode = rss.getMode();
        if (f.given(path + ".mode", mode) && !mode.equals("hardware") && !mode.equals("software")) {
            f.error(path + ".mode", "must be hardware or software, got '" + mode + "'");
        }
        if (rss.hasSteering()) {
            String p = path + ".steering";
            SteeringRef st = rss.getSteering();
            f.exclusive(p, true, "plugin", f.given(p + ".plugin", st.getPlugin()),
                    "script", f.given(p + ".script", st.getScript()));
            if (f.written(p + ".plugin") && st.getPlugin().isBlank()) f.error(p + ".plugin", "must not be empty");
            if (f.given(p + ".script", st.getScript())) f.existingFile(p + ".script", st.getScript(), "steering script");
        }
        if (rss.getDispatchCore() < 0) f.error(path + ".dispatch_core", "must not be negative");
    }

    /** Linux's ranges for the sysctls these mirror; RFC 9293 3.8.6.3 for the delayed ACK. */
    private void tcp(String path, StackTcp t) {
        if (t.hasSynBacklog()) range(path + ".syn_backlog", t.getSynBacklog(), 1, Integer.MAX_VALUE);
        if (t.hasSendBuffer()) range(path + ".send_buffer", t.getSendBuffer(), MIN_BUFFER, MAX_BUFFER);
        if (t.hasReceiveBuffer()) range(path + ".receive_buffer", t.getReceiveBuffer(), MIN_BUFFER, MAX_BUFFER);
        if (t.hasSynRetries()) range(path + ".syn_retries", t.getSynRetries(), 1, 127);
        if (t.hasSynackRetries()) range(path + ".synack_retries", t.getSynackRetries(), 0, 255);
        if (t.hasRetries()) range(path + ".retries", t.getRetries(), 1, 255);
        if (t.hasKeepaliveProbes()) range(path + ".keepalive_probes", t.getKeepaliveProbes(), 1, 127);
        f.nonNegative(path + ".delayed_ack", t.hasDelayedAck(), t.getDelayedAck());
        if (t.hasDelayedAck() && millis(t.getDelayedAck()) >= 500) {
            f.error(path + ".delayed_ack", "must be below 500ms (RFC 9293 3.8.6.3)");
        }
        f.positive(path + ".initial_rto", t.hasInitialRto(), t.getInitialRto());
        f.positive(path + ".min_rto", t.hasMinRto(), t.getMinRto());
        f.positive(path + ".max_rto", t.hasMaxRto(), t.getMaxRto());
        f.positive(path + ".time_wait", t.hasTimeWait(), t.getTimeWait());
        f.positive(path + ".fin_timeout", t.hasFinTimeout(), t.getFinTimeout());
        f.positive(path + ".keepalive_time", t.hasKeepaliveTime(), t.getKeepaliveTime());
        f.positive(path + ".keepalive_interval", t.hasKeepaliveInterval(), t.getKeepaliveInterval());
        long min = t.hasMinRto() ? millis(t.getMinRto()) : 200, max = t.hasMaxRto() ? millis(t.getMaxRto()) : 120_000;
        long initial = t.hasInitialRto() ? millis(t.getInitialRto()) : 1_000;
        if (t.hasMaxRto() && max < min) f.error(path + ".max_rto", "must be at least min_rto (" + min + "ms)");
        else if (t.hasMinRto() && min > max) f.error(path + ".min_rto", "must be at most max_rto (" + max + "ms)");
        if (t.hasInitialRto() && initial > max) f.error(path + ".initial_rto", "must be at most max_rto (" + max + "ms)");
    }

    private static final long MIN_BUFFER = 2048, MAX_BUFFER = 1L << 30;

    private void range(String path, int value, long min, long max) {
        long v = Integer.toUnsignedLong(value);
        if (v < min || v > max) f.error(path, "must be " + min + ".." + max + ", got " + v);
    }

    private static long millis(Duration d) {
        return d.getSeconds() * 1000 + d.getNanos() / 1_000_000;
    }

    private void iface(String path, Interface itf) {
        String backend = itf.getBackend();
        switch (backend) {
            case "dpdk" -> {
                if (!dpdkInstalled.getAsBoolean()) {
                    f.error(path + ".backend", "backend dpdk needs DPDK, which is not installed; " + INSTALL_DPDK);
                }
            }
            case "tap" -> {
                if (itf.getDevice().length() > MAX_TAP_NAME) {
                    f.error(path + ".device", "a TAP device name is at most " + MAX_TAP_NAME + " characters");
                }
            }
            default -> f.error(path + ".backend", backend.isEmpty()
                    ? "a backend is required: dpdk or tap"
                    : "must be dpdk or tap, got '" + backend + "'");
        }
        NetText.Cidr cidr = null;
        if (itf.getIp().isEmpty()) {
            f.error(path + ".ip", "an interface address is required, e.g. 10.213.7.2/24");
        } else {
            try {
                cidr = NetText.cidr(itf.getIp());
                if (cidr.isNetworkAddress()) {
                    f.error(path + ".ip", itf.getIp() + " is the network address of its subnet; give the interface's own address");
                } else if (cidr.isBroadcastAddress()) {
                    f.error(path + ".ip", itf.getIp() + " is the broadcast address of its subnet");
                } else {
                    addresses.add(cidr.address());
                    addressTexts.add(cidr.address().getHostAddress());
                }
            } catch (IllegalArgumentException e) {
                f.error(path + ".ip", e.getMessage());
            }
        }
        if (!itf.getGateway().isEmpty()) {
            var gw = NetText.ipv4(itf.getGateway());
            if (gw == null) {
                f.error(path + ".gateway", "'" + itf.getGateway() + "' is not an IPv4 address");
            } else if (cidr != null && !cidr.contains(gw)) {
                f.error(path + ".gateway", "gateway " + itf.getGateway() + " is outside the interface subnet " + itf.getIp());
            } else if (cidr != null && gw.equals(cidr.address())) {
                f.error(path + ".gateway", "the gateway cannot be the interface's own address");
            }
        }
        if (itf.getMtu() != 0 && (itf.getMtu() < 68 || itf.getMtu() > 9000)) {
            f.error(path + ".mtu", "must be 68..9000, got " + Integer.toUnsignedString(itf.getMtu()));
        }
        if (!itf.getMac().isEmpty() && !NetText.isMac(itf.getMac())) {
            f.error(path + ".mac", "'" + itf.getMac() + "' is not a MAC address like 02:00:00:00:00:01");
        }
    }
}
