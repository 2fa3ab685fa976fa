package yastack.proxy;

import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * An exchange's request body on its way up: through the filters, held while the request is
 * not routed yet, then streamed into the upstream leg; checked against the listener's size
 * limit and dropped (read and discarded) once the exchange answered without it.
 */
final class RequestBody {
    /** Where the body stands. */
    enum State {
        /** More may come (or none was announced and the end has not been seen yet). */
        RECEIVING,
        /** Answered before the body was read: what still comes is read and dropped. */
        DISCARDING,
        /** Fully received. */
        COMPLETE
    }

    private final HttpExchange ex;
    private State state = State.RECEIVING;
    private long bytes;
    /** Body that arrived before the request was routed (filters still deciding); made when needed. */
    private ArrayDeque<HttpContent> early;

    RequestBody(HttpExchange ex) {
        this.ex = ex;
    }

    boolean complete() {
        return state == State.COMPLETE;
    }

    long bytes() {
        return bytes;
    }

    /** The exchange answered before the body was through: drop what still comes. */
    void discardRest() {
        if (state != State.COMPLETE) state = State.DISCARDING;
    }

    void onContent(HttpContent content) {
        ex.activity();
        if (content.decoderResult().isFailure()) {
            onMalformed(content);
            return;
        }
        bytes += content.content().readableBytes();
        boolean last = content instanceof LastHttpContent;
        boolean dropping = state == State.DISCARDING || ex.finished();
        if (last) state = State.COMPLETE;
        if (dropping) {
            content.release();
            if (last && ex.finished()) ex.bodyDrained();
            return;
        }
        long limit = ex.listener.maxRequestBodyBytes();
        if (limit > 0 && bytes > limit) {
            onTooLarge(content);
            return;
        }
        if (ex.filters() != null) ex.filters().requestContent(content, last);
        else forward(content, last);
    }

    /** Body on its way up (after the filters, if any). */
    void forward(HttpContent content, boolean last) {
        if (state == State.DISCARDING || ex.finished()) {
            content.release();
            return;
        }
        UpstreamLeg leg = ex.leg();
        // Without filters the downstream read-complete flushes; a chain may resume later.
        if (leg != null) {
            if (ex.mirror() != null) ex.mirror().body(content, last);
            leg.body(content, last, ex.filters() != null);
        } else {
            if (early == null) early = new ArrayDeque<>();
            early.add(content);
        }
    }

    /** The request was routed: what arrived while it was not goes to its upstream leg first. */
    void routed(UpstreamLeg leg) {
        HttpContent c;
        while (early != null && (c = early.poll()) != null) {
            boolean last = c instanceof LastHttpContent;
            if (ex.mirror() != null) ex.mirror().body(c, last);
            leg.body(c, last, false);
        }
    }

    /**
     * The body broke its framing (bad chunk, bad trailer). The upstream has seen part of a
     * request that can never be completed, so its connection is dropped rather than the body
     * being ended cleanly; the client gets 400 (if nothing was answered yet) and the connection
     * closes, since nothing after the error can be trusted.
     */
    private void onMalformed(HttpContent content) {
        String reason = content.decoderResult().cause().getMessage();
        content.release();
        ex.down.stats.rqRejected.inc();
        ex.bodyFailed(HttpResponseStatus.BAD_REQUEST, "malformed request body: " + reason + "\n", true);
    }

    /**
     * A body without a Content-Length (chunked) grew past {@code max_request_body_kb}. As with a
     * broken body, the upstream has seen a request that will never complete, so its connection
     * is dropped; the client gets 413 if nothing was answered yet, else the connection resets.
     */
    private void onTooLarge(HttpContent content) {
        content.release();
        ex.down.stats.rqTooLarge.inc();
        ex.bodyFailed(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "request body too large\n", false);
    }

    /** Lets go of what was held for routing. */
    void release() {
        if (early == null) return;
        early.forEach(ReferenceCountUtil::release);
        early.clear();
    }
}
