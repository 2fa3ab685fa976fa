package yastack.kernel.io.tap;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import yastack.kernel.io.MacAddress;

/**
 * How to open a TAP port.
 *
 * @param name  interface name, at most 15 bytes; may hold {@code %d} for the kernel to number it
 * @param queues queue pairs; more than one opens the device with IFF_MULTI_QUEUE, one fd each
 * @param mtu   MTU to set on the interface, or 0 to keep the kernel's (1500)
 * @param mac   the userspace endpoint's own address (not the kernel side's); null picks a
 *              random locally administered one
 */
public record TapConfig(String name, int queues, int mtu, MacAddress mac) {
    public TapConfig {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty() || name.getBytes(StandardCharsets.US_ASCII).length > 15) {
            throw new IllegalArgumentException("TAP name must be 1..15 ASCII bytes: '" + name + "'");
        }
        if (queues < 1) {
            throw new IllegalArgumentException("queues must be >= 1: " + queues);
        }
        if (mtu != 0 && (mtu < 68 || mtu > 65521)) {
            throw new IllegalArgumentException("mtu must be 68..65521: " + mtu);
        }
    }

    public static TapConfig of(String name) {
        return new TapConfig(name, 1, 0, null);
    }

    public TapConfig withQueues(int n) {
        return new TapConfig(name, n, mtu, mac);
    }

    public TapConfig withMtu(int m) {
        return new TapConfig(name, queues, m, mac);
    }

    public TapConfig withMac(MacAddress m) {
        return new TapConfig(name, queues, mtu, m);
    }
}
