package yastack.proxy;

import java.net.InetSocketAddress;
import yastack.api.HttpRequestHead;
import yastack.api.HttpResponseHead;
import yastack.api.StreamSummary;

/** How an exchange ended, as its filters' {@code onComplete} and the listener's access loggers see it. */
record ExchangeSummary(int status, long requestBodyBytes, long responseBodyBytes, long durationNanos, String cluster,
                       InetSocketAddress upstreamAddress, boolean localReply, boolean reset, HttpRequestHead request,
                       HttpResponseHead response, String responseFlags, String requestId, int upstreamAttempts)
        implements StreamSummary {}
