package yastack.kernel.io;

/** A port could not be opened, configured or driven; the message says what to fix. */
public class PacketIoException extends RuntimeException {
    public PacketIoException(String message) {
        super(message);
    }

    public PacketIoException(String message, Throwable cause) {
        super(message, cause);
    }
}
