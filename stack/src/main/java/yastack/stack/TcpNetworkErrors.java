package yastack.stack;

/**
 * How connections react to trouble the layers below report about their flows: ICMP unreachables and
 * fragmentation-needed messages quoting one of our segments, and next hops ARP could not resolve.
 */
final class TcpNetworkErrors {
    private TcpNetworkErrors() {}

    /** ICMP port/protocol unreachable quoting one of our segments: fatal only while the connection is opening. */
    static void hardError(TcpLayer layer, int remoteIp, int remotePort, int localPort, int seq) {
        TcpConnection c = layer.table.get(TcpTable.key(remoteIp, remotePort, localPort));
        if (c == null || c.state != TcpState.SYN_SENT || seq != c.iss) {
            return;
        }
        layer.stack.stats.inc(Stat.TCP_CONN_REFUSED);
        layer.destroy(c);
        if (!c.appClosed) {
            c.handler.onError(c, TcpError.REFUSED);
        }
    }

    /** The next hop hop could not be resolved: connections still opening through it fail (EHOSTUNREACH). */
    static void unreachable(TcpLayer layer, int hop) {
        NetStack stack = layer.stack;
        for (int i = layer.connectionCount() - 1; i >= 0; i--) {
            if (i >= layer.connectionCount()) {
                continue; // a handler closed other connections: the list shrank under us
            }
            TcpConnection c = layer.connection(i);
            if (c.state == TcpState.SYN_SENT && stack.nextHop(c.remoteIp) == hop) {
                stack.stats.inc(Stat.TCP_CONN_TIMED_OUT);
                layer.destroy(c);
                if (!c.appClosed) {
                    c.handler.onError(c, TcpError.UNREACHABLE);
                }
            }
        }
    }

    /** ICMP fragmentation needed for one of our segments (RFC 1191, validated per RFC 5927). */
    static void fragNeeded(TcpLayer layer, int remoteIp, int remotePort, int localPort, int seq, int mtu) {
        NetStack stack = layer.stack;
        TcpConnection c = layer.table.get(TcpTable.key(remoteIp, remotePort, localPort));
        if (c == null || !Seq.inRange(seq, c.sndUna, c.sndMax + 1)) {
            stack.stats.inc(Stat.ICMP_FRAG_NEEDED_IGNORED);
            return;
        }
        int newMss = Math.max(552, mtu) - 40; // Linux's min_pmtu (552) bounds how far an ICMP can shrink us
        if (newMss < c.sndMss) {
            c.sndMss = newMss;
            c.cc.setMss(newMss);
            stack.stats.inc(Stat.TCP_PMTU_UPDATES);
            if (TcpOutput.dataState(c.state) && c.sndUna != c.sndMax) {
                c.sndNxt = c.sndUna;
                TcpOutput.output(c, stack.now);
            }
        }
    }
}
