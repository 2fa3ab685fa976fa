package yastack.kernel.dataplane;

import yastack.kernel.io.support.Shell;

/**
 * A veth pair for the DPDK tests: {@link #host} stays in this namespace, unaddressed, for
 * net_af_packet; {@link #peer} sits in a fresh namespace {@link #ns} with {@link #theirs}/24.
 * Offloads are off on both ends (the userspace stack sees raw frames). Closing deletes it all.
 */
final class NamespacedVeth implements AutoCloseable {
    final String ns, host, peer, ours, theirs;
    /** Prefix that runs a command inside the namespace. */
    final String[] inNs;

    /** @param tag 2-4 letters naming the test in the devices; {@code secondOctet} keeps tests' subnets apart */
    NamespacedVeth(String tag, int secondOctet) {
        String sfx = NetSetup.suffix();
        int n = NetSetup.subnet();
        ns = tag + "n" + sfx;
        host = tag + "a" + sfx;
        peer = tag + "b" + sfx;
        ours = "10." + secondOctet + "." + n + ".2";
        theirs = "10." + secondOctet + "." + n + ".1";
        inNs = new String[] {"ip", "netns", "exec", ns};
        try {
            Shell.must("ip", "netns", "add", ns);
            Shell.must("ip", "link", "add", host, "type", "veth", "peer", "name", peer, "netns", ns);
            Shell.must("ip", "link", "set", host, "up");
            Shell.must(NetSetup.concat(inNs, "ip", "addr", "add", theirs + "/24", "dev", peer));
            Shell.must(NetSetup.concat(inNs, "ip", "link", "set", peer, "up"));
            Shell.quietly("ethtool", "-K", host, "tx", "off", "tso", "off", "gso", "off", "gro", "off");
            Shell.quietly(NetSetup.concat(inNs, "ethtool", "-K", peer, "tx", "off", "tso", "off", "gso", "off", "gro", "off"));
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    @Override
    public void close() {
        Shell.quietly("ip", "netns", "del", ns);
        Shell.quietly("ip", "link", "del", host);
    }
}
