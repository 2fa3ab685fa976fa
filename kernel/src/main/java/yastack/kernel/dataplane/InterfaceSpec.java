package yastack.kernel.dataplane;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import yastack.api.config.Interface;
import yastack.kernel.io.MacAddress;

/** One {@code stack.interfaces[]} entry, parsed. */
public record InterfaceSpec(String name, String backend, String device, String vdev, List<String> ealArgs,
                            int address, int prefixLength, int gateway, int mtu, MacAddress mac) {

    public static InterfaceSpec of(Interface itf) {
        String ip = itf.getIp();
        int slash = ip.indexOf('/');
        int address = Ipv4Addresses.of(parse(slash < 0 ? ip : ip.substring(0, slash)));
        int prefix = slash < 0 ? 24 : Integer.parseInt(ip.substring(slash + 1));
        int gateway = itf.getGateway().isEmpty() ? 0 : Ipv4Addresses.of(parse(itf.getGateway()));
        MacAddress mac = itf.getMac().isEmpty() ? null : MacAddress.parse(itf.getMac());
        String device = itf.getDevice().isEmpty() ? itf.getName() : itf.getDevice();
        return new InterfaceSpec(itf.getName(), itf.getBackend(), device, itf.getVdev(), List.copyOf(itf.getEalArgsList()),
                address, prefix, gateway, itf.getMtu(), mac);
    }

    private static InetAddress parse(String literal) {
        if (!literal.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            throw new IllegalArgumentException("not an IPv4 address: " + literal);
        }
        try {
            return InetAddress.getByName(literal); // a literal: no lookup
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    public String addressText() {
        return Ipv4Addresses.text(address);
    }
}
