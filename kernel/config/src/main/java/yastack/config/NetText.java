package yastack.config;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/** Checks on addresses, host names and header names as they appear in a config. */
final class NetText {
    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?");
    private static final Pattern MAC = Pattern.compile("[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}");
    /** RFC 9110 token characters besides letters and digits. */
    private static final String TCHAR_SYMBOLS = "!#$%&'*+-.^_`|~";

    private NetText() {}

    /** A strict dotted-quad IPv4 literal, or null. Unlike InetAddress, "10.1" is not accepted. */
    static Inet4Address ipv4(String s) {
        if (!IPV4.matcher(s).matches()) return null;
        byte[] b = new byte[4];
        String[] parts = s.split("\\.");
        for (int i = 0; i < 4; i++) {
            int v = Integer.parseInt(parts[i]);
            if (v > 255) return null;
            b[i] = (byte) v;
        }
        try {
            return (Inet4Address) InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // cannot happen for 4 bytes
        }
    }

    /** An IPv4 or IPv6 literal (no brackets, no DNS lookup), or null. */
    static InetAddress ipLiteral(String s) {
        if (s.indexOf(':') < 0) return ipv4(s);
        if (s.startsWith("[")) return null;
        try {
            return Inet6Address.ofLiteral(s);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** An RFC 1123 host name; all-numeric names are refused as they read as broken IPv4. */
    static boolean isHostname(String s) {
        String name = s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
        if (name.isEmpty() || name.length() > 253) return false;
        if (name.chars().allMatch(c -> Character.isDigit(c) || c == '.')) return false;
        for (String label : name.split("\\.", -1)) {
            if (!LABEL.matcher(label).matches()) return false;
        }
        return true;
    }

    static boolean isAddressOrHostname(String s) {
        return ipLiteral(s) != null || isHostname(s);
    }

    static boolean isWildcard(String address) {
        InetAddress a = ipLiteral(address);
        return a != null && a.isAnyLocalAddress();
    }

    static boolean isToken(String s) {
        if (s.isEmpty()) return false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || TCHAR_SYMBOLS.indexOf(c) >= 0;
            if (!ok) return false;
        }
        return true;
    }

    static boolean isMac(String s) {
        return MAC.matcher(s).matches();
    }

    /** An IPv4 interface address with its prefix length, e.g. 10.213.7.2/24. */
    record Cidr(Inet4Address address, int prefixLength) {
        int mask() {
            return prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
        }

        boolean contains(Inet4Address other) {
            return (bits(address) & mask()) == (bits(other) & mask());
        }

        boolean isNetworkAddress() {
            return prefixLength < 31 && (bits(address) & ~mask()) == 0;
        }

        boolean isBroadcastAddress() {
            return prefixLength < 31 && (bits(address) & ~mask()) == ~mask();
        }

        static int bits(Inet4Address a) {
            byte[] b = a.getAddress();
            return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
        }
    }

    /** Parses "a.b.c.d/len"; throws IllegalArgumentException with a user-facing reason. */
    static Cidr cidr(String s) {
        int slash = s.indexOf('/');
        if (slash < 0) throw new IllegalArgumentException("must be an IPv4 address with a prefix length, e.g. 10.213.7.2/24");
        Inet4Address a = ipv4(s.substring(0, slash));
        if (a == null) {
            String why = s.indexOf(':') >= 0 ? " (the userspace stack speaks IPv4 only)" : "";
            throw new IllegalArgumentException("'" + s.substring(0, slash) + "' is not an IPv4 address" + why);
        }
        String len = s.substring(slash + 1);
        if (!len.matches("\\d{1,2}") || Integer.parseInt(len) > 32) {
            throw new IllegalArgumentException("prefix length '" + len + "' must be 0..32");
        }
        return new Cidr(a, Integer.parseInt(len));
    }
}
