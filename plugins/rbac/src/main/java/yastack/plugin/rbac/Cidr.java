package yastack.plugin.rbac;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** An address range such as {@code 10.0.0.0/8} or {@code 2001:db8::/32} (a bare address is its own /32 or /128). */
record Cidr(byte[] network, int prefixLength) {
    static Cidr parse(String text) {
        int slash = text.indexOf('/');
        String address = slash < 0 ? text : text.substring(0, slash);
        if (!address.matches("[0-9.]+|[0-9a-fA-F:.]*:[0-9a-fA-F:.]*")) {
            throw new IllegalArgumentException("'" + text + "' is not an address or CIDR range");
        }
        byte[] bytes;
        try {
            bytes = InetAddress.getByName(address).getAddress(); // a literal: no lookup
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + text + "' is not an address or CIDR range");
        }
        int bits = bytes.length * 8;
        int prefix;
        try {
            prefix = slash < 0 ? bits : Integer.parseInt(text.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "': the prefix length is not a number");
        }
        if (prefix < 0 || prefix > bits) throw new IllegalArgumentException("'" + text + "': the prefix length must be 0.." + bits);
        return new Cidr(bytes, prefix);
    }

    boolean contains(InetAddress a) {
        byte[] b = a.getAddress();
        if (b.length != network.length) return false;
        int full = prefixLength / 8, rest = prefixLength % 8;
        for (int i = 0; i < full; i++) if (b[i] != network[i]) return false;
        if (rest == 0) return true;
        int mask = 0xff << (8 - rest) & 0xff;
        return (b[full] & mask) == (network[full] & mask);
    }
}
