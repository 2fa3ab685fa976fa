package yastack.stack;

/** Why a connection failed without an orderly close. */
public enum TcpError {
    /** RST in answer to our SYN. */
    REFUSED,
    /** Retransmissions, SYN retries, keepalive probes or FIN_WAIT_2 ran out. */
    TIMED_OUT,
    /** The next hop could not be resolved. */
    UNREACHABLE
}
