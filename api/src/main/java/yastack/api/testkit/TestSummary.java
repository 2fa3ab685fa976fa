package yastack.api.testkit;

import java.net.InetSocketAddress;
import yastack.api.HttpRequestHead;
import yastack.api.StreamSummary;

/** A stream summary with the given values. */
public record TestSummary(int status, long requestBodyBytes, long responseBodyBytes, long durationNanos, String cluster,
                          InetSocketAddress upstreamAddress, boolean localReply, boolean reset, HttpRequestHead request)
        implements StreamSummary {}
