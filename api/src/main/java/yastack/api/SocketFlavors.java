package yastack.api;

import yastack.api.config.SocketFlavor;

/** Helpers for {@link SocketFlavor}, which names the TCP/IP stack a socket uses. */
public final class SocketFlavors {
    private SocketFlavors() {}

    /** The name users write in config and see in logs: {@code host} or {@code userspace}. */
    public static String configName(SocketFlavor flavor) {
        return switch (flavor) {
            case HOST -> "host";
            case USERSPACE -> "userspace";
            case UNRECOGNIZED -> "unrecognized";
        };
    }
}
