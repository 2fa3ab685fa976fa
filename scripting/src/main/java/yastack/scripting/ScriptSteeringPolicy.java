package yastack.scripting;

import yastack.api.SteeringPolicy;

/**
 * A {@link SteeringPolicy} backed by a JavaScript module exporting
 * {@code steer(flow, workers)}, run for each new flow (the distributor remembers
 * the flows it placed).
 */
public interface ScriptSteeringPolicy extends SteeringPolicy, ScriptHandle {
    /** Stops watching the file; each context closes once no call or stream uses it. */
    @Override
    void close();
}
