package yastack.kernel.transport;

import static io.netty.channel.ChannelOption.SO_BACKLOG;
import static io.netty.channel.ChannelOption.SO_RCVBUF;
import static io.netty.channel.ChannelOption.SO_REUSEADDR;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.channel.DefaultChannelConfig;
import io.netty.channel.MessageSizeEstimator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.ServerChannelRecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.ServerSocketChannelConfig;
import io.netty.util.NetUtil;
import java.util.Map;

/**
 * Options of a {@link UserspaceServerChannel}. SO_BACKLOG bounds both the half-open
 * connections of the stack's listener (beyond it the stack answers with SYN cookies) and the
 * established connections waiting to be accepted (beyond it they are reset). SO_RCVBUF
 * becomes the receive buffer of accepted connections unless a child option says otherwise.
 */
public final class UserspaceServerChannelConfig extends DefaultChannelConfig implements ServerSocketChannelConfig {
    private final UserspaceServerChannel ch;
    private volatile int backlog = NetUtil.SOMAXCONN;
    private volatile int receiveBufferSize;
    private volatile boolean reuseAddress = true;

    UserspaceServerChannelConfig(UserspaceServerChannel channel) {
        super(channel, new ServerChannelRecvByteBufAllocator());
        this.ch = channel;
    }

    @Override
    public Map<ChannelOption<?>, Object> getOptions() {
        return getOptions(super.getOptions(), SO_BACKLOG, SO_RCVBUF, SO_REUSEADDR);
    }

    @SuppressWarnings("unchecked")
    @Override
    public <T> T getOption(ChannelOption<T> option) {
        if (option == SO_BACKLOG) return (T) Integer.valueOf(getBacklog());
        if (option == SO_RCVBUF) return (T) Integer.valueOf(getReceiveBufferSize());
        if (option == SO_REUSEADDR) return (T) Boolean.valueOf(isReuseAddress());
        return super.getOption(option);
    }

    @Override
    public <T> boolean setOption(ChannelOption<T> option, T value) {
        validate(option, value);
        if (option == SO_BACKLOG) setBacklog((Integer) value);
        else if (option == SO_RCVBUF) setReceiveBufferSize((Integer) value);
        else if (option == SO_REUSEADDR) setReuseAddress((Boolean) value);
        else return super.setOption(option, value);
        return true;
    }

    @Override
    public int getBacklog() {
        return backlog;
    }

    @Override
    public UserspaceServerChannelConfig setBacklog(int n) {
        backlog = Math.max(1, n);
        return this;
    }

    @Override
    public boolean isReuseAddress() {
        return reuseAddress;
    }

    @Override
    public UserspaceServerChannelConfig setReuseAddress(boolean on) {
        reuseAddress = on;
        return this;
    }

    @Override
    public int getReceiveBufferSize() {
        return receiveBufferSize;
    }

    @Override
    public UserspaceServerChannelConfig setReceiveBufferSize(int size) {
        receiveBufferSize = size;
        return this;
    }

    @Override
    public UserspaceServerChannelConfig setPerformancePreferences(int connectionTime, int latency, int bandwidth) {
        return this;
    }

    @Override
    protected void autoReadCleared() {
        ch.autoReadCleared();
    }

    @Override
    public UserspaceServerChannelConfig setConnectTimeoutMillis(int ms) {
        super.setConnectTimeoutMillis(ms);
        return this;
    }

    @Override
    @Deprecated
    public UserspaceServerChannelConfig setMaxMessagesPerRead(int n) {
        super.setMaxMessagesPerRead(n);
        return this;
    }

    @Override
    public UserspaceServerChannelConfig setWriteSpinCount(int n) {
        super.setWriteSpinCount(n);
        return this;
    }

    @Override
    public UserspaceServerChannelConfig setAllocator(ByteBufAllocator a) {
        super.setAllocator(a);
        return this;
    }

    @Override
    public UserspaceServerChannelConfig setRecvByteBufAllocator(RecvByteBufAllocator a) {
        super.setRecvByteBufAllocator(a);
        return this;
    }

    @Override
    public UserspaceServerChannelConfig setAutoRead(boolean on) {
        super.setAutoRead(on);
        return this;
    }

    @Override
    public UserspaceServerChannelConfig setMessageSizeEstimator(MessageSizeEstimator e) {
        super.setMessageSizeEstimator(e);
        return this;
    }

    @Override
    @Deprecated
    public UserspaceServerChannelConfig setWriteBufferHighWaterMark(int n) {
        super.setWriteBufferHighWaterMark(n);
        return this;
    }

    @Override
    @Deprecated
    public UserspaceServerChannelConfig setWriteBufferLowWaterMark(int n) {
        super.setWriteBufferLowWaterMark(n);
        return this;
    }

    @Override
    public UserspaceServerChannelConfig setWriteBufferWaterMark(WriteBufferWaterMark m) {
        super.setWriteBufferWaterMark(m);
        return this;
    }
}
