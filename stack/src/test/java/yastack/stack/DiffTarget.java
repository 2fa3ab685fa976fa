package yastack.stack;

import java.util.List;

/**
 * A TCP implementation under a differential test: the Linux kernel ({@link LinuxTarget}) or our stack
 * ({@link StackTarget}). Both own the address {@link Probe#STACK} (MAC {@link Probe#STACK_MAC}) and are driven by
 * the same frames from the peer {@link Probe#PEER}; every call returns the TCP segments the target sent in answer.
 */
interface DiffTarget extends AutoCloseable {
    /** What this target is called in a transcript. */
    String name();

    /** Opens a listening socket on {@code port}. */
    void listen(int port) throws Exception;

    /** The application connects from {@code localPort} to the peer's {@code remotePort}: the target's SYN. */
    List<Pkt> connect(int localPort, int remotePort) throws Throwable;

    /**
     * Injects one Ethernet frame from the peer; returns the target's answers. With {@code settle} the answers
     * include what the target sends within {@link #SETTLE_MS} (a delayed ACK of data), else only what it sends at once.
     */
    List<Pkt> send(byte[] frame, boolean settle) throws Throwable;

    long SETTLE_MS = 80;

    /** Injects one Ethernet frame from the peer; returns every frame the target sends at once (ARP, ICMP, ...). */
    List<byte[]> sendFrame(byte[] frame) throws Throwable;

    /** Sets a sysctl of the kernel's namespace ({@code name=value}); our stack has its settings in its config. */
    default void kernelSetting(String setting) throws Exception {
    }

    /** Lets {@code ms} pass with nothing sent; returns every frame the target sent meanwhile (timers firing). */
    List<byte[]> idle(long ms) throws Throwable;

    /** The application (accepting the connection on {@code port} first) writes {@code data}: the segments the target sends. */
    List<Pkt> appWrite(int port, byte[] data) throws Throwable;

    /** The application accepts the connection on {@code port}, reads what arrived and closes it: the target's answers. */
    List<Pkt> appClose(int port) throws Throwable;

    @Override
    void close() throws Exception;
}
