package yastack.kernel.io.dpdk;

import yastack.kernel.io.PacketIoException;

/** DPDK or the yastack shim cannot be loaded on this machine; the message says what to install. */
public final class DpdkUnavailableException extends PacketIoException {
    public DpdkUnavailableException(String message) {
        super(message);
    }

    public DpdkUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
