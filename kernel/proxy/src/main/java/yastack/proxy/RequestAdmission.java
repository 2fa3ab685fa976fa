package yastack.proxy;

import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import yastack.proxy.edge.EdgeStats;
import yastack.proxy.edge.HttpEdgeSettings;
import yastack.proxy.edge.PathNormalizer;

/**
 * The checks on a request head, after framing and before filters and routing see it: its
 * grammar and target, overload shedding, the header-field limits, path normalization (so
 * the route that matches is the resource the upstream serves) and the body limit.
 */
final class RequestAdmission {
    private RequestAdmission() {}

    /**
     * The target to route, or null when {@code ex} has been answered: the head's grammar and
     * target checks, then the edge's, then the body limit (refused before a byte of the body is
     * read, and before a 100 Continue invites it).
     */
    static RequestChecks.Target admit(HttpExchange ex) {
        HttpRequest request = ex.request;
        RequestChecks.Rejection rejection = RequestChecks.check(request);
        if (rejection != null) {
            // The decoder's size limits: counted by name too, as they are what a limit set too low shows up as.
            if (rejection.status().code() == 431) ex.down.stats.edge.rqHeadersTooLarge.inc();
            else if (rejection.status().code() == 414) ex.down.stats.edge.rqUriTooLong.inc();
            ex.rejected(rejection.status(), rejection.reason());
            return null;
        }
        RequestChecks.Target target = RequestChecks.target(request);
        if (target == null) {
            ex.rejected(HttpResponseStatus.BAD_REQUEST, "invalid request target");
            return null;
        }
        target = edgeChecks(ex, request, target);
        if (target == null) return null;
        long limit = ex.listener.maxRequestBodyBytes();
        if (limit > 0 && HeaderRules.contentLength(request, -1L) > limit) {
            ex.down.stats.rqTooLarge.inc();
            ex.reply(ex.localResponse(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "request body too large\n"), "-", true);
            return null;
        }
        return target;
    }

    /** The target to route (its path normalized), or null when {@code ex} has been answered. */
    private static RequestChecks.Target edgeChecks(HttpExchange ex, HttpRequest request, RequestChecks.Target target) {
        EdgeStats s = ex.down.stats.edge;
        HttpEdgeSettings edge = ex.listener.edge();
        if (!ex.down.worker.overload.acceptingRequests()) {
            s.rqOverloadClose.inc();
            ex.reply(LocalReplies.overloaded(ex.localResponse(HttpResponseStatus.SERVICE_UNAVAILABLE, "overloaded\n")), "OM", true);
            return null;
        }
        switch (edge.headers().check(request.headers(), s.underscoreDropped)) {
            case TOO_MANY_HEADERS -> {
                s.rqTooManyHeaders.inc();
                ex.rejected(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "too many header fields");
                return null;
            }
            case UNDERSCORE_REJECTED -> {
                s.underscoreRejected.inc();
                ex.rejected(HttpResponseStatus.BAD_REQUEST, "header name with underscore");
                return null;
            }
            case OK -> { }
        }
        String query = target.query().isEmpty() ? "" : "?" + target.query();
        return switch (edge.paths().apply(target.path())) {
            case PathNormalizer.Unchanged u -> target;
            case PathNormalizer.Changed c -> {
                request.setUri(uriWithPath(request.uri(), target, c.path() + query));
                yield new RequestChecks.Target(target.authority(), c.path(), target.query());
            }
            case PathNormalizer.Redirect r -> {
                s.pathRedirected.inc();
                // 307 keeps the method and body; the Location is the same resource, spelled plainly.
                FullHttpResponse redirect = ex.localResponse(HttpResponseStatus.TEMPORARY_REDIRECT, "");
                redirect.headers().set(HttpHeaderNames.LOCATION, r.path() + query);
                ex.reply(redirect, "-", false);
                yield null;
            }
            case PathNormalizer.Reject r -> {
                s.pathRejected.inc();
                ex.rejected(HttpResponseStatus.BAD_REQUEST, r.reason());
                yield null;
            }
        };
    }

    /** {@code uri} with its path and query replaced; an absolute-form target keeps its scheme and authority. */
    static String uriWithPath(String uri, RequestChecks.Target target, String pathAndQuery) {
        if (target.authority() == null) return pathAndQuery;
        int scheme = uri.indexOf("://");
        return uri.substring(0, scheme + 3) + target.authority() + pathAndQuery;
    }
}
