package yastack.proxy.tls;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.util.Locale;
import javax.net.ssl.SSLSession;
import yastack.kernel.stats.WorkerStats;

/**
 * Counts handshakes, failures by reason, and the TLS versions and ciphers in use, under
 * {@code <prefix>.ssl.*} (prefix {@code listener.<name>} or {@code cluster.<name>}).
 */
public final class TlsStatsHandler extends ChannelInboundHandlerAdapter {
    private final WorkerStats stats;
    private final String prefix;

    public TlsStatsHandler(WorkerStats stats, String prefix) {
        this.stats = stats;
        this.prefix = prefix + ".ssl.";
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof SslHandshakeCompletionEvent e) {
            if (e.isSuccess()) {
                stats.counter(prefix + "handshake").inc();
                SslHandler ssl = ctx.pipeline().get(SslHandler.class);
                if (ssl != null) {
                    SSLSession s = ssl.engine().getSession();
                    stats.counter(prefix + "versions." + s.getProtocol()).inc();
                    stats.counter(prefix + "ciphers." + s.getCipherSuite()).inc();
                }
            } else {
                stats.counter(prefix + "connection_error").inc();
                stats.counter(prefix + reason(e.cause())).inc();
            }
            ctx.pipeline().remove(this);
        }
        ctx.fireUserEventTriggered(evt);
    }

    /** A stable reason name from the SSL failure (Envoy-like names). */
    static String reason(Throwable cause) {
        String m = String.valueOf(cause).toLowerCase(Locale.ROOT);
        if (m.contains("certificate_required") || m.contains("peer did not return a certificate")
                || m.contains("no certificate")) return "fail_verify_no_cert";
        if (m.contains("certificate") && (m.contains("verify") || m.contains("unknown_ca") || m.contains("unknown ca")
                || m.contains("bad_certificate") || m.contains("expired"))) return "fail_verify_error";
        if (m.contains("protocol") || m.contains("version")) return "fail_protocol_version";
        if (m.contains("cipher")) return "fail_no_shared_cipher";
        if (m.contains("timed out") || m.contains("timeout")) return "fail_handshake_timeout";
        if (m.contains("not an ssl") || m.contains("wrong_version_number") || m.contains("http_request")) return "fail_not_tls";
        return "fail_handshake";
    }
}
