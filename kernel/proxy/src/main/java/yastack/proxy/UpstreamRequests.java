package yastack.proxy;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.AsciiString;
import java.util.Arrays;
import yastack.api.RouteDecision;
import yastack.proxy.edge.ForwardingTrust;

/**
 * The request head sent upstream: the client's headers minus hop-by-hop fields, framing
 * set from what the decoder established (never from what the client's headers claim),
 * forwarding headers as far as the listener trusts its client ({@link ForwardingTrust}), the
 * request id, host and path rewrites, the route's edits, and the Upgrade of a protocol
 * switch the listener allows.
 */
final class UpstreamRequests {
    /** Netty's HTTP/2 -> HTTP/1 annotations, kept once (values() would copy its array per request). */
    private static final AsciiString[] HTTP2_CONVERSION_NAMES = Arrays.stream(HttpConversionUtil.ExtensionHeaderNames.values())
            .map(HttpConversionUtil.ExtensionHeaderNames::text).toArray(AsciiString[]::new);
    private static final HeaderNameSet HTTP2_CONVERSION_FIELDS = new HeaderNameSet(HTTP2_CONVERSION_NAMES);

    private static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
    private static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
    private static final AsciiString X_REQUEST_ID = AsciiString.cached("x-request-id");
    private static final AsciiString HTTP = AsciiString.cached("http");
    private static final AsciiString HTTPS = AsciiString.cached("https");

    private UpstreamRequests() {}

    static HttpRequest build(HttpRequest request, RequestHead head, RouteDecision.ToCluster f, String scheme,
                             AsciiString peer, CharSequence requestId, ViaValues via, boolean h2Stream, String upgrade,
                             boolean http2Upstream, ForwardingTrust trust) {
        HttpHeaders h = request.headers().copy();
        // "te: trailers" is the one TE an HTTP/2 request may carry, and gRPC servers require it.
        boolean teTrailers = http2Upstream && request.headers().containsValue(HttpHeaderNames.TE, "trailers", true);
        HeaderRules.stripHopByHop(h);
        h.remove(HttpHeaderNames.EXPECT);
        // HTTP/2 -> HTTP/1 conversion annotations are ours, not the client's.
        if (h instanceof FlatHttpHeaders flat) flat.removeEach(HTTP2_CONVERSION_FIELDS);
        else for (AsciiString name : HTTP2_CONVERSION_NAMES) h.remove(name);
        if (HeaderRules.chunked(request)) {
            h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        } else if (request.headers().contains(HttpHeaderNames.CONTENT_LENGTH)) {
            h.set(HttpHeaderNames.CONTENT_LENGTH,
                    HeaderRules.contentLengthValue(request.headers(), HeaderRules.contentLength(request, 0L)));
        }
        if (trust.appendsForwardedFor()) {
            String xff = h.get(X_FORWARDED_FOR);
            setOwn(h, X_FORWARDED_FOR, xff == null || xff.isBlank() ? peer : xff + ", " + peer);
        }
        if (trust.overwritesForwardedProto() || !h.contains(X_FORWARDED_PROTO)) {
            setOwn(h, X_FORWARDED_PROTO, "https".equals(scheme) ? HTTPS : HTTP);
        }
        setOwn(h, X_REQUEST_ID, requestId);
        // Via names the protocol we received: an HTTP/2 stream arrives converted to a 1.1 message.
        if (via != null) h.add(HttpHeaderNames.VIA, via.value(request.protocolVersion(), h2Stream));
        if (!f.hostRewrite().isEmpty()) h.set(HttpHeaderNames.HOST, f.hostRewrite());
        else if (!head.authority().isEmpty() && !h.contains(HttpHeaderNames.HOST, head.authority(), false)) {
            h.set(HttpHeaderNames.HOST, head.authority()); // unless it is there already, which keeps a copy's arrays shared
        }
        HeaderRules.apply(h, f.headers().requestAdd(), f.headers().requestRemove());
        if (upgrade != null) UpgradeTunnel.requestUpgrade(h, upgrade);
        if (teTrailers) h.set(HttpHeaderNames.TE, HttpHeaderValues.TRAILERS);
        return new DefaultHttpRequest(HttpVersion.HTTP_1_1, request.method(), f.rewritePath(head.pathAndQuery()), h);
    }

    /** A field whose value the proxy made (text free of control characters by construction). */
    private static void setOwn(HttpHeaders h, AsciiString name, CharSequence value) {
        if (h instanceof FlatHttpHeaders flat) flat.setOwn(name, value);
        else h.set(name, value);
    }
}
