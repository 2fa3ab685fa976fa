package yastack.api.testkit;

import java.net.InetSocketAddress;
import yastack.api.HttpRequestHead;
import yastack.api.HttpResponseHead;
import yastack.api.StreamSummary;

/** A stream summary with the given values. */
public record TestSummary(int status, long requestBodyBytes, long responseBodyBytes, long durationNanos, String cluster,
                          InetSocketAddress upstreamAddress, boolean localReply, boolean reset, HttpRequestHead request,
                          HttpResponseHead response, String responseFlags, String requestId)
        implements StreamSummary {
    /** Without a response head, response flags ({@code "-"}) or request id. */
    public TestSummary(int status, long requestBodyBytes, long responseBodyBytes, long durationNanos, String cluster,
                       InetSocketAddress upstreamAddress, boolean localReply, boolean reset, HttpRequestHead request) {
        this(status, requestBodyBytes, responseBodyBytes, durationNanos, cluster, upstreamAddress, localReply, reset, request,
                null, "-", null);
    }
}
