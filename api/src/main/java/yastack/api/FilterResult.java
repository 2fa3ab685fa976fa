package yastack.api;

import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * What an {@link HttpFilter} callback decided. Synchronous filters return
 * {@link #proceed()} (a shared constant; no allocation) or
 * {@link #respond(LocalReply)}. A filter that must wait (an external auth
 * call, a timer) returns {@link #async(CompletionStage)}: the stream pauses,
 * the worker thread goes on serving other streams, and when the stage
 * completes the kernel resumes the stream on its worker thread with the
 * result the stage produced. A stage that completes exceptionally ends the
 * stream with a 500 reply, like a filter that throws.
 */
public sealed interface FilterResult {
    /** Go on with the next filter (or the upstream / the client). */
    static FilterResult proceed() {
        return Continue.INSTANCE;
    }

    /** Stop the stream and send {@code reply} to the client; no later filter runs. */
    static FilterResult respond(LocalReply reply) {
        return new Respond(reply);
    }

    /** Pause the stream until {@code stage} completes with the real decision. */
    static FilterResult async(CompletionStage<FilterResult> stage) {
        return new Async(stage);
    }

    /** Continue with the next filter. */
    final class Continue implements FilterResult {
        static final Continue INSTANCE = new Continue();

        private Continue() {}

        @Override
        public String toString() {
            return "Continue";
        }
    }

    /** Stop and reply locally. */
    record Respond(LocalReply reply) implements FilterResult {
        public Respond {
            Objects.requireNonNull(reply, "reply");
        }
    }

    /** Decision still pending. */
    record Async(CompletionStage<FilterResult> stage) implements FilterResult {
        public Async {
            Objects.requireNonNull(stage, "stage");
        }
    }
}
