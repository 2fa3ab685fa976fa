package yastack.kernel.transport;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.UnsupportedAddressTypeException;

/** Conversions between the stack's int IPv4 addresses and java.net addresses. */
final class Inet4 {
    private Inet4() {
    }

    static InetSocketAddress socketAddress(int address, int port) {
        byte[] b = {(byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8), (byte) address};
        try {
            return new InetSocketAddress(InetAddress.getByAddress(b), port);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // cannot happen for a 4-byte address
        }
    }

    /** The IPv4 address as the stack's int; the wildcard address gives 0. */
    static int address(InetSocketAddress a) {
        if (a.isUnresolved()) {
            throw new IllegalArgumentException("unresolved address: " + a);
        }
        if (!(a.getAddress() instanceof Inet4Address v4)) {
            throw new UnsupportedAddressTypeException();
        }
        byte[] b = v4.getAddress();
        return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
    }

    static InetSocketAddress inet(SocketAddress a) {
        if (a instanceof InetSocketAddress i) {
            return i;
        }
        throw new UnsupportedAddressTypeException();
    }
}
