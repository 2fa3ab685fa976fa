package yastack.stack;

/** Every counter a shard keeps; the dotted name is what operators see. */
public enum Stat {
    ETH_RX("eth.rx"), ETH_TX("eth.tx"), ETH_DROP_TRUNCATED("eth.drop.truncated"),
    ETH_DROP_NOT_FOR_US("eth.drop.not_for_us"), ETH_DROP_VLAN("eth.drop.vlan"),
    ETH_DROP_UNKNOWN_TYPE("eth.drop.unknown_ethertype"), ETH_TX_NO_BUFFER("eth.tx.no_buffer"),
    ARP_RX("arp.rx"), ARP_TX("arp.tx"), ARP_DROP_MALFORMED("arp.drop.malformed"), ARP_REQUESTS_ANSWERED("arp.replies_sent"),
    ARP_RESOLVE_FAILED("arp.resolve_failed"), ARP_PENDING_DROPPED("arp.pending_dropped"), ARP_DROP_NOT_FOR_US("arp.drop.not_for_us"),
    IP_RX("ip.rx"), IP_TX("ip.tx"), IP_DROP_TRUNCATED("ip.drop.truncated"), IP_DROP_BAD_VERSION("ip.drop.bad_version"),
    IP_DROP_BAD_HEADER_LENGTH("ip.drop.bad_header_length"), IP_DROP_BAD_TOTAL_LENGTH("ip.drop.bad_total_length"),
    IP_DROP_BAD_CHECKSUM("ip.drop.bad_checksum"), IP_DROP_NOT_FOR_US("ip.drop.not_for_us"),
    IP_DROP_BAD_SOURCE("ip.drop.bad_source"), IP_DROP_UNKNOWN_PROTOCOL("ip.drop.unknown_protocol"),
    IP_DROP_NO_ROUTE("ip.drop.no_route"), IP_DROP_TOO_BIG("ip.drop.too_big"),
    IP_DROP_BAD_OPTIONS("ip.drop.bad_options"), IP_DROP_SOURCE_ROUTED("ip.drop.source_routed"),
    IP_FRAG_RX("ip.frag.rx"), IP_FRAG_REASSEMBLED("ip.frag.reassembled"), IP_FRAG_DROP_TIMEOUT("ip.frag.drop.timeout"),
    IP_FRAG_DROP_OVERLAP("ip.frag.drop.overlap"), IP_FRAG_DROP_LIMIT("ip.frag.drop.limit"),
    IP_FRAG_DROP_BAD("ip.frag.drop.malformed"), IP_FRAG_DROP_ECN("ip.frag.drop.ecn_mismatch"),
    ICMP_RX("icmp.rx"), ICMP_TX("icmp.tx"), ICMP_ECHO_REPLIES("icmp.echo_replies_sent"),
    ICMP_DROP_BAD_CHECKSUM("icmp.drop.bad_checksum"), ICMP_DROP_TRUNCATED("icmp.drop.truncated"),
    ICMP_DROP_BROADCAST_ECHO("icmp.drop.broadcast_echo"), ICMP_UNREACH_SENT("icmp.unreachable_sent"),
    ICMP_UNREACH_RATE_LIMITED("icmp.unreachable_rate_limited"),
    ICMP_PARAMETER_PROBLEMS_SENT("icmp.parameter_problems_sent"), ICMP_TIME_EXCEEDED_SENT("icmp.time_exceeded_sent"),
    ICMP_FRAG_NEEDED_RX("icmp.frag_needed_rx"), ICMP_FRAG_NEEDED_IGNORED("icmp.frag_needed_ignored"), ICMP_UNREACH_RX("icmp.unreachable_rx"),
    UDP_RX("udp.rx"), UDP_TX("udp.tx"), UDP_DROP_TRUNCATED("udp.drop.truncated"), UDP_DROP_BAD_LENGTH("udp.drop.bad_length"),
    UDP_DROP_BAD_CHECKSUM("udp.drop.bad_checksum"), UDP_DROP_NO_SOCKET("udp.drop.no_socket"),
    UDP_DROP_QUEUE_FULL("udp.drop.queue_full"), UDP_DROP_NOT_OWNED("udp.drop.not_owned"),
    TCP_RX("tcp.rx"), TCP_TX("tcp.tx"), TCP_DROP_TRUNCATED("tcp.drop.truncated"),
    TCP_DROP_BAD_HEADER("tcp.drop.bad_header"), TCP_DROP_BAD_CHECKSUM("tcp.drop.bad_checksum"),
    TCP_DROP_BAD_FLAGS("tcp.drop.bad_flags"), TCP_DROP_BAD_OPTIONS("tcp.drop.bad_options"),
    TCP_DROP_BAD_PORT("tcp.drop.bad_port"), TCP_DROP_NOT_OWNED("tcp.drop.not_owned"),
    TCP_DROP_NO_SOCKET("tcp.drop.no_socket"), TCP_DROP_OUT_OF_WINDOW("tcp.drop.out_of_window"),
    TCP_DROP_PAWS("tcp.drop.paws"), TCP_DROP_MISSING_TIMESTAMP("tcp.drop.missing_timestamp"), TCP_DROP_BAD_ACK("tcp.drop.bad_ack"), TCP_DROP_BAD_RST("tcp.drop.bad_rst"),
    TCP_DROP_OOO_LIMIT("tcp.drop.ooo_limit"), TCP_DROP_BACKLOG_FULL("tcp.drop.backlog_full"),
    TCP_DROP_BAD_COOKIE("tcp.drop.bad_cookie"), TCP_DROP_UNEXPECTED("tcp.drop.unexpected"),
    TCP_DROP_AFTER_CLOSE("tcp.drop.data_after_close"),
    TCP_RST_SENT("tcp.rst_sent"), TCP_RST_RX("tcp.rst_rx"), TCP_CHALLENGE_ACKS("tcp.challenge_acks"),
    TCP_CHALLENGE_ACKS_LIMITED("tcp.challenge_acks_rate_limited"),
    TCP_RETRANSMITS("tcp.retransmits"), TCP_FAST_RETRANSMITS("tcp.fast_retransmits"), TCP_RTO_FIRES("tcp.rto_fires"),
    TCP_SACK_RETRANSMITS("tcp.sack_retransmits"), TCP_LOST_RETRANSMITS("tcp.lost_retransmits_detected"), TCP_DUP_ACKS("tcp.dup_acks"),
    TCP_ZERO_WINDOW_PROBES("tcp.zero_window_probes"), TCP_KEEPALIVE_PROBES("tcp.keepalive_probes"),
    TCP_DELAYED_ACKS("tcp.delayed_acks"), TCP_OOO_QUEUED("tcp.ooo_segments_queued"),
    TCP_DUP_SEGMENTS("tcp.duplicate_segments"),
    TCP_CONN_OPENED_ACTIVE("tcp.connections_opened_active"), TCP_CONN_OPENED_PASSIVE("tcp.connections_opened_passive"),
    TCP_CONN_CLOSED("tcp.connections_closed"), TCP_CONN_RESET("tcp.connections_reset"),
    TCP_CONN_TIMED_OUT("tcp.connections_timed_out"), TCP_CONN_REFUSED("tcp.connections_refused"),
    TCP_SYN_COOKIES_SENT("tcp.syn_cookies_sent"), TCP_SYN_COOKIES_ACCEPTED("tcp.syn_cookies_accepted"),
    TCP_TIME_WAIT_REUSED("tcp.time_wait_reused"), TCP_PMTU_UPDATES("tcp.pmtu_updates"),
    TCP_ECN_CONNECTIONS("tcp.ecn_connections"), TCP_ECN_CE_RECEIVED("tcp.ecn_ce_received"),
    TCP_ECN_WINDOW_REDUCTIONS("tcp.ecn_window_reductions");

    final String key;

    Stat(String key) {
        this.key = key;
    }

    /** The operator-facing name, e.g. {@code tcp.retransmits}. */
    public String key() {
        return key;
    }
}
