package yastack.proxy.filter;

import yastack.kernel.plugin.PluginErrors;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import yastack.api.BodyChunk;
import yastack.api.ConfiguredHttpFilter;
import yastack.api.FilterResult;
import yastack.api.HttpFilter;
import yastack.api.HttpRequestHead;
import yastack.api.HttpResponseHead;
import yastack.api.HttpStream;
import yastack.api.LocalReply;
import yastack.api.StreamSummary;

/**
 * Runs a listener's HTTP filters over one stream: request events through the
 * filters in order, response events in reverse order, each event passed on to
 * the {@link Sink} once every filter let it through.
 *
 * <p>Driving it (all on the stream's worker thread): the proxy calls
 * {@link #onRequestHeaders}, {@link #onRequestBody}, {@link #onResponseHeaders},
 * {@link #onResponseBody} as events arrive, and {@link #onComplete} once when
 * the stream ends. Events are processed strictly in arrival order: while a
 * filter's asynchronous decision is pending, later events wait in the chain
 * (the sink hears {@link Sink#onPaused()} so the proxy can stop reading) and
 * are processed when the decision arrives, which the chain receives on the
 * worker's executor. A filter that stops the stream makes the chain call
 * {@link Sink#sendLocalReply} (or {@link Sink#resetStream} once the response
 * head went out) and drop every later event. A filter that throws, or whose
 * stage fails, is reported to {@link PluginErrors} ({@code plugin.<name>.errors},
 * rate-limited log) and the stream ends with a 500 local reply.
 *
 * <p>Body chunks are owned by the chain from the call that hands them in until
 * it gives them back through {@link Sink#forwardRequestBody} /
 * {@link Sink#forwardResponseBody} or {@link Sink#discard}.
 */
public final class FilterChain {
    /** One configured filter of a listener, in config order. */
    public record Entry(String name, ConfiguredHttpFilter filter) {
        public Entry {
            Objects.requireNonNull(name);
            Objects.requireNonNull(filter);
        }
    }

    /** What the proxy does with events that passed every filter. */
    public interface Sink {
        /** Send the request head upstream (route it first if a router decides). */
        void forwardRequestHeaders(HttpRequestHead request);

        void forwardRequestBody(BodyChunk chunk, boolean last);

        void forwardResponseHeaders(HttpResponseHead response);

        void forwardResponseBody(BodyChunk chunk, boolean last);

        /**
         * A filter stopped the stream: reply {@code reply} to the client and
         * abandon the upstream request/response (if any). Called at most once.
         */
        void sendLocalReply(LocalReply reply);

        /** A filter stopped the stream after the response head was sent: reset it. */
        void resetStream();

        /** The chain will not forward {@code chunk} (the stream stopped): release it. */
        void discard(BodyChunk chunk);

        /** A filter's decision is pending; events go on queueing (stop reading if you like). */
        default void onPaused() {}

        /** The pending decision arrived; the chain runs again. */
        default void onResumed() {}
    }

    private enum Phase {
        REQUEST_HEADERS("onRequestHeaders"),
        REQUEST_BODY("onRequestBody"),
        RESPONSE_HEADERS("onResponseHeaders"),
        RESPONSE_BODY("onResponseBody");

        final String callback;

        Phase(String callback) {
            this.callback = callback;
        }

        boolean response() {
            return this == RESPONSE_HEADERS || this == RESPONSE_BODY;
        }
    }

    private record Event(Phase phase, Object payload, boolean last) {}

    private final String[] names;
    private final HttpFilter[] filters;
    private final HttpStream stream;
    private final Sink sink;
    private final PluginErrors errors;
    private final ArrayDeque<Event> queue = new ArrayDeque<>();

    private int creationFailure = -1;
    private Throwable creationError;
    private Event current;
    private int position;
    private boolean draining;
    private boolean waiting;
    private long asyncToken;
    private boolean registering;
    private boolean syncDone;
    private FilterResult syncResult;
    private Throwable syncError;
    private boolean stopped;
    private boolean completed;
    private boolean responseHeadSent;

    /**
     * Creates the per-stream filters of {@code entries} for {@code stream}. A
     * filter whose creation throws is reported and makes the first event end
     * the stream with a 500.
     */
    public FilterChain(List<Entry> entries, HttpStream stream, Sink sink, PluginErrors errors) {
        this.stream = Objects.requireNonNull(stream);
        this.sink = Objects.requireNonNull(sink);
        this.errors = Objects.requireNonNull(errors);
        int n = entries.size();
        this.names = new String[n];
        this.filters = new HttpFilter[n];
        for (int i = 0; i < n; i++) {
            names[i] = entries.get(i).name();
            try {
                filters[i] = Objects.requireNonNull(entries.get(i).filter().newStreamFilter(stream), "newStreamFilter returned null");
            } catch (RuntimeException | LinkageError e) {
                creationFailure = i;
                creationError = e;
                break;
            }
        }
    }

    public void onRequestHeaders(HttpRequestHead request) {
        submit(new Event(Phase.REQUEST_HEADERS, request, false));
    }

    public void onRequestBody(BodyChunk chunk, boolean last) {
        submit(new Event(Phase.REQUEST_BODY, chunk, last));
    }

    public void onResponseHeaders(HttpResponseHead response) {
        submit(new Event(Phase.RESPONSE_HEADERS, response, false));
    }

    public void onResponseBody(BodyChunk chunk, boolean last) {
        submit(new Event(Phase.RESPONSE_BODY, chunk, last));
    }

    /**
     * The stream ended (normally, by local reply, or reset): every filter's
     * {@code onComplete} runs once, queued chunks are discarded, and a decision
     * still pending is ignored when it arrives. Later calls do nothing.
     */
    public void onComplete(StreamSummary summary) {
        if (completed) return;
        completed = true;
        discardQueued();
        for (int i = 0; i < filters.length; i++) {
            if (filters[i] == null) continue;
            try {
                filters[i].onComplete(stream, summary);
            } catch (RuntimeException | LinkageError e) {
                errors.report(names[i], "onComplete", e);
            }
        }
    }

    /** Whether a filter stopped the stream (a local reply or reset was requested). */
    public boolean isStopped() {
        return stopped;
    }

    /** Whether the chain waits for an asynchronous decision. */
    public boolean isPaused() {
        return waiting;
    }

    /** Number of filters in the chain. */
    public int size() {
        return filters.length;
    }

    private void submit(Event e) {
        if (completed || stopped) {
            release(e);
            return;
        }
        queue.add(e);
        drain();
    }

    /** Runs queued events until the queue is empty, a decision is pending, or the stream stopped. */
    private void drain() {
        if (draining) return; // a sink call re-entered the chain: the outer loop picks the event up
        draining = true;
        try {
            while (!waiting && !stopped && !completed) {
                if (current == null) {
                    current = queue.poll();
                    if (current == null) break;
                    position = 0;
                    if (creationFailure >= 0) {
                        fail(creationFailure, "newStreamFilter", creationError);
                        break;
                    }
                }
                runCurrent();
            }
        } finally {
            draining = false;
        }
    }

    private void runCurrent() {
        int n = filters.length;
        while (position < n) {
            int idx = current.phase.response() ? n - 1 - position : position;
            FilterResult r;
            try {
                r = invoke(filters[idx], current);
            } catch (RuntimeException | LinkageError e) {
                fail(idx, current.phase.callback, e);
                return;
            }
            if (!apply(idx, r)) return;
        }
        Event done = current;
        current = null;
        forward(done);
    }

    private FilterResult invoke(HttpFilter f, Event e) {
        return switch (e.phase) {
            case REQUEST_HEADERS -> f.onRequestHeaders(stream, (HttpRequestHead) e.payload);
            case REQUEST_BODY -> f.onRequestBody(stream, (BodyChunk) e.payload, e.last);
            case RESPONSE_HEADERS -> f.onResponseHeaders(stream, (HttpResponseHead) e.payload);
            case RESPONSE_BODY -> f.onResponseBody(stream, (BodyChunk) e.payload, e.last);
        };
    }

    /** Acts on filter {@code idx}'s result; returns whether the current event goes on to the next filter. */
    private boolean apply(int idx, FilterResult r) {
        if (r == null) {
            fail(idx, current.phase.callback, new NullPointerException("filter returned null instead of a FilterResult"));
            return false;
        }
        return switch (r) {
            case FilterResult.Continue c -> {
                position++;
                yield true;
            }
            case FilterResult.Respond resp -> {
                stop(resp.reply());
                yield false;
            }
            case FilterResult.Async async -> {
                await(idx, async.stage());
                yield false;
            }
        };
    }

    private void await(int idx, CompletionStage<FilterResult> stage) {
        waiting = true;
        long token = ++asyncToken;
        registering = true;
        syncDone = false;
        try {
            stage.whenComplete((res, ex) -> {
                if (registering && stream.worker().inWorker()) {
                    syncDone = true;
                    syncResult = res;
                    syncError = ex;
                } else {
                    stream.worker().executor().execute(() -> resume(token, idx, res, ex));
                }
            });
        } catch (RuntimeException e) {
            registering = false;
            waiting = false;
            fail(idx, current.phase.callback, e);
            return;
        } finally {
            registering = false;
        }
        if (syncDone) {
            // Already complete: carry on inline, no trip through the executor.
            waiting = false;
            settle(idx, syncResult, syncError);
        } else {
            sink.onPaused();
        }
    }

    private void resume(long token, int idx, FilterResult res, Throwable ex) {
        if (completed || stopped || token != asyncToken || !waiting) return;
        waiting = false;
        sink.onResumed();
        draining = true;
        try {
            settle(idx, res, ex);
        } finally {
            draining = false;
        }
        drain();
    }

    private void settle(int idx, FilterResult res, Throwable ex) {
        if (ex != null) {
            fail(idx, current.phase.callback + " (async)", ex);
        } else if (apply(idx, res) && !waiting) {
            runCurrent();
        }
    }

    private void forward(Event e) {
        switch (e.phase) {
            case REQUEST_HEADERS -> sink.forwardRequestHeaders((HttpRequestHead) e.payload);
            case REQUEST_BODY -> sink.forwardRequestBody((BodyChunk) e.payload, e.last);
            case RESPONSE_HEADERS -> {
                responseHeadSent = true;
                sink.forwardResponseHeaders((HttpResponseHead) e.payload);
            }
            case RESPONSE_BODY -> sink.forwardResponseBody((BodyChunk) e.payload, e.last);
        }
    }

    private void stop(LocalReply reply) {
        stopped = true;
        waiting = false;
        if (current != null) {
            release(current);
            current = null;
        }
        discardQueued();
        if (responseHeadSent) {
            sink.resetStream();
        } else {
            sink.sendLocalReply(reply);
        }
    }

    private void fail(int idx, String where, Throwable error) {
        errors.report(names[idx], where, error);
        stop(LocalReply.of(500, "filter " + names[idx] + " failed\n"));
    }

    private void discardQueued() {
        Event e;
        while ((e = queue.poll()) != null) release(e);
        if (completed && current != null) {
            release(current);
            current = null;
        }
    }

    private void release(Event e) {
        if (e.payload instanceof BodyChunk c) sink.discard(c);
    }
}
