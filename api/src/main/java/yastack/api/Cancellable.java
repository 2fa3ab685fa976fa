package yastack.api;

/** A handle to a scheduled task. */
@FunctionalInterface
public interface Cancellable {
    /** Cancels the task if it has not run yet; returns whether it was cancelled. */
    boolean cancel();
}
