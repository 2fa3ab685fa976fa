package yastack.kernel.transport;

import static io.netty.channel.ChannelOption.ALLOW_HALF_CLOSURE;
import static io.netty.channel.ChannelOption.IP_TOS;
import static io.netty.channel.ChannelOption.SO_KEEPALIVE;
import static io.netty.channel.ChannelOption.SO_LINGER;
import static io.netty.channel.ChannelOption.SO_RCVBUF;
import static io.netty.channel.ChannelOption.SO_REUSEADDR;
import static io.netty.channel.ChannelOption.SO_SNDBUF;
import static io.netty.channel.ChannelOption.TCP_NODELAY;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.channel.DefaultChannelConfig;
import io.netty.channel.MessageSizeEstimator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannelConfig;
import java.util.Map;
import java.util.function.Consumer;
import yastack.stack.TcpConnection;

/**
 * Options of a {@link UserspaceSocketChannel}. TCP options are kept here and pushed to the
 * stack's connection as soon as it exists (and on every later change). SO_REUSEADDR and
 * IP_TOS are accepted for API compatibility but the stack has no use for them.
 */
public final class UserspaceSocketChannelConfig extends DefaultChannelConfig implements SocketChannelConfig {
    private final UserspaceSocketChannel ch;
    private volatile boolean tcpNoDelay = true; // Netty's default for TCP channels
    private volatile boolean keepAlive;
    private volatile int soLinger = -1;
    private volatile int sendBufferSize;
    private volatile int receiveBufferSize;
    private volatile int trafficClass;
    private volatile boolean reuseAddress;
    private volatile boolean allowHalfClosure;

    UserspaceSocketChannelConfig(UserspaceSocketChannel channel) {
        super(channel, new AdaptiveRecvByteBufAllocator());
        this.ch = channel;
    }

    /** Pushes every option to a new connection (on the channel's loop). */
    void applyTo(TcpConnection c) {
        c.setNoDelay(tcpNoDelay);
        c.setKeepAlive(keepAlive);
        c.setLinger(soLinger);
        resize(c);
    }

    private void resize(TcpConnection c) {
        // The stack only resizes empty buffers; a buffer already holding data keeps its size.
        if (sendBufferSize > 0 && c.sendBufferSize() != sendBufferSize && c.unacknowledgedBytes() == 0) {
            c.setSendBufferSize(sendBufferSize);
        }
        if (receiveBufferSize > 0 && c.receiveBufferSize() != receiveBufferSize && c.readableBytes() == 0) {
            try {
                c.setReceiveBufferSize(receiveBufferSize);
            } catch (IllegalStateException outOfOrderDataHeld) {
                // keeps the current size, as getReceiveBufferSize() then reports
            }
        }
    }

    private void onConnection(Consumer<TcpConnection> change) {
        ch.onLoop(() -> {
            TcpConnection c = ch.connection();
            if (c != null) {
                change.accept(c);
            }
        });
    }

    @Override
    public Map<ChannelOption<?>, Object> getOptions() {
        return getOptions(super.getOptions(), SO_RCVBUF, SO_SNDBUF, TCP_NODELAY, SO_KEEPALIVE, SO_REUSEADDR, SO_LINGER,
                IP_TOS, ALLOW_HALF_CLOSURE);
    }

    @SuppressWarnings("unchecked")
    @Override
    public <T> T getOption(ChannelOption<T> option) {
        if (option == SO_RCVBUF) return (T) Integer.valueOf(getReceiveBufferSize());
        if (option == SO_SNDBUF) return (T) Integer.valueOf(getSendBufferSize());
        if (option == TCP_NODELAY) return (T) Boolean.valueOf(isTcpNoDelay());
        if (option == SO_KEEPALIVE) return (T) Boolean.valueOf(isKeepAlive());
        if (option == SO_REUSEADDR) return (T) Boolean.valueOf(isReuseAddress());
        if (option == SO_LINGER) return (T) Integer.valueOf(getSoLinger());
        if (option == IP_TOS) return (T) Integer.valueOf(getTrafficClass());
        if (option == ALLOW_HALF_CLOSURE) return (T) Boolean.valueOf(isAllowHalfClosure());
        return super.getOption(option);
    }

    @Override
    public <T> boolean setOption(ChannelOption<T> option, T value) {
        validate(option, value);
        if (option == SO_RCVBUF) setReceiveBufferSize((Integer) value);
        else if (option == SO_SNDBUF) setSendBufferSize((Integer) value);
        else if (option == TCP_NODELAY) setTcpNoDelay((Boolean) value);
        else if (option == SO_KEEPALIVE) setKeepAlive((Boolean) value);
        else if (option == SO_REUSEADDR) setReuseAddress((Boolean) value);
        else if (option == SO_LINGER) setSoLinger((Integer) value);
        else if (option == IP_TOS) setTrafficClass((Integer) value);
        else if (option == ALLOW_HALF_CLOSURE) setAllowHalfClosure((Boolean) value);
        else return super.setOption(option, value);
        return true;
    }

    @Override
    public boolean isTcpNoDelay() {
        return tcpNoDelay;
    }

    @Override
    public UserspaceSocketChannelConfig setTcpNoDelay(boolean on) {
        tcpNoDelay = on;
        onConnection(c -> c.setNoDelay(on));
        return this;
    }

    @Override
    public int getSoLinger() {
        return soLinger;
    }

    /** -1: close sends FIN after the buffered data; 0: close aborts with RST. Positive values act like -1 (nothing blocks). */
    @Override
    public UserspaceSocketChannelConfig setSoLinger(int seconds) {
        soLinger = seconds < 0 ? -1 : seconds;
        onConnection(c -> c.setLinger(soLinger));
        return this;
    }

    @Override
    public int getSendBufferSize() {
        TcpConnection c = ch.connection();
        return c != null ? c.sendBufferSize() : sendBufferSize;
    }

    @Override
    public UserspaceSocketChannelConfig setSendBufferSize(int size) {
        sendBufferSize = size;
        onConnection(this::resize);
        return this;
    }

    @Override
    public int getReceiveBufferSize() {
        TcpConnection c = ch.connection();
        return c != null ? c.receiveBufferSize() : receiveBufferSize;
    }

    /**
     * Applied while the buffer is empty. The window scale is fixed by the SYN from the shard's
     * default buffer size, so a larger buffer than that default cannot widen the window.
     */
    @Override
    public UserspaceSocketChannelConfig setReceiveBufferSize(int size) {
        receiveBufferSize = size;
        onConnection(this::resize);
        return this;
    }

    @Override
    public boolean isKeepAlive() {
        return keepAlive;
    }

    @Override
    public UserspaceSocketChannelConfig setKeepAlive(boolean on) {
        keepAlive = on;
        onConnection(c -> c.setKeepAlive(on));
        return this;
    }

    @Override
    public int getTrafficClass() {
        return trafficClass;
    }

    @Override
    public UserspaceSocketChannelConfig setTrafficClass(int tc) {
        trafficClass = tc;
        return this;
    }

    @Override
    public boolean isReuseAddress() {
        return reuseAddress;
    }

    @Override
    public UserspaceSocketChannelConfig setReuseAddress(boolean on) {
        reuseAddress = on;
        return this;
    }

    @Override
    public UserspaceSocketChannelConfig setPerformancePreferences(int connectionTime, int latency, int bandwidth) {
        return this;
    }

    @Override
    public boolean isAllowHalfClosure() {
        return allowHalfClosure;
    }

    @Override
    public UserspaceSocketChannelConfig setAllowHalfClosure(boolean on) {
        allowHalfClosure = on;
        return this;
    }

    @Override
    protected void autoReadCleared() {
        ch.autoReadCleared();
    }

    @Override
    public UserspaceSocketChannelConfig setConnectTimeoutMillis(int ms) {
        super.setConnectTimeoutMillis(ms);
        return this;
    }

    @Override
    @Deprecated
    public UserspaceSocketChannelConfig setMaxMessagesPerRead(int n) {
        super.setMaxMessagesPerRead(n);
        return this;
    }

    @Override
    public UserspaceSocketChannelConfig setWriteSpinCount(int n) {
        super.setWriteSpinCount(n);
        return this;
    }

    @Override
    public UserspaceSocketChannelConfig setAllocator(ByteBufAllocator a) {
        super.setAllocator(a);
        return this;
    }

    @Override
    public UserspaceSocketChannelConfig setRecvByteBufAllocator(RecvByteBufAllocator a) {
        super.setRecvByteBufAllocator(a);
        return this;
    }

    @Override
    public UserspaceSocketChannelConfig setAutoRead(boolean on) {
        super.setAutoRead(on);
        return this;
    }

    @Override
    public UserspaceSocketChannelConfig setAutoClose(boolean on) {
        super.setAutoClose(on);
        return this;
    }

    @Override
    public UserspaceSocketChannelConfig setMessageSizeEstimator(MessageSizeEstimator e) {
        super.setMessageSizeEstimator(e);
        return this;
    }

    @Override
    public UserspaceSocketChannelConfig setWriteBufferWaterMark(WriteBufferWaterMark m) {
        super.setWriteBufferWaterMark(m);
        return this;
    }

    @Override
    @Deprecated
    public UserspaceSocketChannelConfig setWriteBufferHighWaterMark(int n) {
        super.setWriteBufferHighWaterMark(n);
        return this;
    }

    @Override
    @Deprecated
    public UserspaceSocketChannelConfig setWriteBufferLowWaterMark(int n) {
        super.setWriteBufferLowWaterMark(n);
        return this;
    }
}
