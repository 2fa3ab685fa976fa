package yastack.proxy;

import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import yastack.api.BodyChunk;
import yastack.api.HttpRequestHead;
import yastack.api.HttpResponseHead;
import yastack.api.LocalReply;
import yastack.api.StreamSummary;
import yastack.proxy.filter.ByteBufBodyChunk;
import yastack.proxy.filter.FilterChain;
import yastack.proxy.filter.NettyResponseHead;

/**
 * Glue between an {@link HttpExchange} and its listener's {@link FilterChain}: events go
 * into the chain as plugin views over the Netty objects (no copies) and come back out
 * through this sink to the exchange's own forwarding paths.
 */
final class ExchangeFilters implements FilterChain.Sink {
    private final HttpExchange exchange;
    private final FilterChain chain;
    private final RequestHead requestHead;
    private final String serverName;

    ExchangeFilters(HttpExchange exchange, ListenerRuntime listener, ExchangeStream stream, RequestHead head) {
        this.exchange = exchange;
        this.requestHead = head;
        this.serverName = listener.serverName();
        this.chain = new FilterChain(listener.filters(), stream, this, listener.pluginErrors());
    }

    RequestHead requestHead() {
        return requestHead;
    }

    void requestHeaders() {
        chain.onRequestHeaders(requestHead);
    }

    void requestContent(HttpContent c, boolean last) {
        chain.onRequestBody(new ByteBufBodyChunk(c.content()), last);
    }

    void responseHeaders(HttpResponse r) {
        chain.onResponseHeaders(new NettyResponseHead(r));
    }

    void responseContent(HttpContent c, boolean last) {
        chain.onResponseBody(new ByteBufBodyChunk(c.content()), last);
    }

    void complete(StreamSummary summary) {
        chain.onComplete(summary);
    }

    @Override
    public void forwardRequestHeaders(HttpRequestHead request) {
        exchange.afterRequestFilters();
    }

    @Override
    public void forwardRequestBody(BodyChunk chunk, boolean last) {
        exchange.body().forward(content(chunk, last), last);
    }

    @Override
    public void forwardResponseHeaders(HttpResponseHead response) {
        exchange.response().writeHead(((NettyResponseHead) response).unwrap());
    }

    @Override
    public void forwardResponseBody(BodyChunk chunk, boolean last) {
        exchange.response().writeContent(content(chunk, last), last);
    }

    @Override
    public void sendLocalReply(LocalReply reply) {
        exchange.filterReply(LocalReplies.of(reply, serverName));
    }

    @Override
    public void resetStream() {
        exchange.filterReset();
    }

    @Override
    public void discard(BodyChunk chunk) {
        ((ByteBufBodyChunk) chunk).release();
    }

    @Override
    public void onPaused() {
        exchange.pauseForFilter(true);
    }

    @Override
    public void onResumed() {
        exchange.pauseForFilter(false);
    }

    private static HttpContent content(BodyChunk chunk, boolean last) {
        var buf = ((ByteBufBodyChunk) chunk).content();
        return last ? new DefaultLastHttpContent(buf) : new DefaultHttpContent(buf);
    }
}
