package yastack.proxy.filter;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import yastack.api.BodyChunk;
import yastack.api.HttpRequestHead;
import yastack.api.HttpResponseHead;
import yastack.api.LocalReply;

/** Records what the chain passed on, as readable lines. */
final class RecordingSink implements FilterChain.Sink {
    final List<String> events = new ArrayList<>();
    LocalReply reply;

    @Override
    public void forwardRequestHeaders(HttpRequestHead request) {
        events.add("request " + request.method() + " " + request.uri());
    }

    @Override
    public void forwardRequestBody(BodyChunk chunk, boolean last) {
        events.add("request body " + chunk.toString(StandardCharsets.UTF_8) + (last ? " (last)" : ""));
    }

    @Override
    public void forwardResponseHeaders(HttpResponseHead response) {
        events.add("response " + response.status());
    }

    @Override
    public void forwardResponseBody(BodyChunk chunk, boolean last) {
        events.add("response body " + chunk.toString(StandardCharsets.UTF_8) + (last ? " (last)" : ""));
    }

    @Override
    public void sendLocalReply(LocalReply r) {
        reply = r;
        events.add("local reply " + r.status());
    }

    @Override
    public void resetStream() {
        events.add("reset");
    }

    @Override
    public void discard(BodyChunk chunk) {
        events.add("discard " + chunk.toString(StandardCharsets.UTF_8));
    }

    @Override
    public void onPaused() {
        events.add("paused");
    }

    @Override
    public void onResumed() {
        events.add("resumed");
    }
}
