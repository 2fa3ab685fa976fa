package yastack.kernel.transport;

import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoHandle;
import io.netty.channel.IoRegistration;

/** A userspace channel's registration on its worker loop (the loop accepts it as a polled handle). */
final class LoopRegistration {
    private IoRegistration registration;

    void register(EventLoop loop, IoHandle handle, ChannelPromise promise) {
        ((IoEventLoop) loop).register(handle).addListener(f -> {
            if (f.isSuccess()) {
                registration = (IoRegistration) f.getNow();
                promise.setSuccess();
            } else {
                promise.setFailure(f.cause());
            }
        });
    }

    void cancel() {
        IoRegistration r = registration;
        registration = null;
        if (r != null) r.cancel();
    }
}
