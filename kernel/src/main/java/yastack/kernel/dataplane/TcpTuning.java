package yastack.kernel.dataplane;

import com.google.protobuf.Duration;
import yastack.api.config.StackTcp;
import yastack.stack.StackConfig;

/**
 * The {@code stack.tcp} section onto a shard's {@link StackConfig}: only the fields written
 * change anything, so an absent section leaves the stack's defaults (Linux's) as they are.
 * The config module has already checked every value.
 */
final class TcpTuning {
    private TcpTuning() {}

    static StackConfig apply(StackTcp t, StackConfig c) {
        if (t.hasSack()) c.sack(t.getSack());
        if (t.hasTimestamps()) c.timestamps(t.getTimestamps());
        if (t.hasWindowScaling()) c.windowScaling(t.getWindowScaling());
        if (t.hasEcn()) c.ecn(t.getEcn());
        if (t.hasSynCookies()) c.synCookies(t.getSynCookies());
        if (t.hasSynBacklog()) c.synCookieThreshold(t.getSynBacklog());
        if (t.hasSendBuffer()) c.tcpSendBuffer(t.getSendBuffer());
        if (t.hasReceiveBuffer()) c.tcpReceiveBuffer(t.getReceiveBuffer());
        if (t.hasDelayedAck()) c.delayedAckNanos(nanos(t.getDelayedAck()));
        if (t.hasInitialRto()) c.initialRtoNanos(nanos(t.getInitialRto()));
        if (t.hasMinRto()) c.minRtoNanos(nanos(t.getMinRto()));
        if (t.hasMaxRto()) c.maxRtoNanos(nanos(t.getMaxRto()));
        if (t.hasSynRetries()) c.synRetries(t.getSynRetries());
        if (t.hasSynackRetries()) c.synAckRetries(t.getSynackRetries());
        if (t.hasRetries()) c.maxRetransmits(t.getRetries());
        if (t.hasTimeWait()) c.timeWaitNanos(nanos(t.getTimeWait()));
        if (t.hasFinTimeout()) c.finWait2Nanos(nanos(t.getFinTimeout()));
        if (t.hasChallengeAckLimit()) c.challengeAcksPerSecond(t.getChallengeAckLimit());
        if (t.hasKeepaliveTime() || t.hasKeepaliveInterval() || t.hasKeepaliveProbes()) {
            c.keepalive(t.hasKeepaliveTime() ? nanos(t.getKeepaliveTime()) : c.keepaliveIdleNanos(),
                    t.hasKeepaliveInterval() ? nanos(t.getKeepaliveInterval()) : c.keepaliveIntervalNanos(),
                    t.hasKeepaliveProbes() ? t.getKeepaliveProbes() : c.keepaliveProbes());
        }
        return c;
    }

    private static long nanos(Duration d) {
        return d.getSeconds() * 1_000_000_000L + d.getNanos();
    }
}
