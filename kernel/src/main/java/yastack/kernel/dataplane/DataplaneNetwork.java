package yastack.kernel.dataplane;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import yastack.api.config.Interface;
import yastack.api.config.Stack;
import yastack.kernel.transport.UserspaceNetwork;
import yastack.kernel.transport.LocalPortChooser;
import yastack.stack.NetStack;

/** The data plane's shards and RSS-local port selection, as the proxy opens sockets with them. */
public final class DataplaneNetwork implements UserspaceNetwork {
    private final Dataplane dataplane;
    private final List<Interface> interfaces;

    public DataplaneNetwork(Dataplane dataplane, Stack stack) {
        this.dataplane = dataplane;
        this.interfaces = stack.getInterfacesList();
    }

    @Override
    public List<NetStack> listenerShards(int worker, String address) {
        List<NetStack> out = new ArrayList<>();
        for (Interface i : interfaces) {
            String ip = i.getIp().substring(0, i.getIp().indexOf('/'));
            if (address.isEmpty() || address.equals("0.0.0.0") || address.equals(ip)) out.add(dataplane.shard(worker, i.getName()));
        }
        if (out.isEmpty()) throw new IllegalStateException("no userspace interface has address " + address);
        return out;
    }

    @Override
    public NetStack upstreamShard(int worker, String remote) {
        int addr = ipv4(remote);
        Interface withGateway = null;
        for (Interface i : interfaces) {
            int slash = i.getIp().indexOf('/');
            int net = ipv4(i.getIp().substring(0, slash));
            int prefix = Integer.parseInt(i.getIp().substring(slash + 1));
            int mask = prefix == 0 ? 0 : -1 << (32 - prefix);
            if ((net & mask) == (addr & mask)) return dataplane.shard(worker, i.getName());
            if (withGateway == null && !i.getGateway().isEmpty()) withGateway = i;
        }
        Interface via = withGateway != null ? withGateway : interfaces.getFirst();
        return dataplane.shard(worker, via.getName());
    }

    @Override
    public LocalPortChooser portChooser(int worker, NetStack shard) {
        String iface = null;
        for (Interface i : interfaces) {
            if (dataplane.shard(worker, i.getName()) == shard) iface = i.getName();
        }
        String name = iface;
        return (stack, remoteAddress, remotePort) -> dataplane.chooseLocalPort(worker, name, remoteAddress, remotePort);
    }

    private static int ipv4(String text) {
        try {
            byte[] b = InetAddress.getByName(text).getAddress();
            if (b.length != 4) throw new IllegalArgumentException("userspace sockets are IPv4: " + text);
            return ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("cannot resolve " + text, e);
        }
    }
}
