package yastack.scripting;

import yastack.api.SteeringPolicy;

/**
 * A {@link SteeringPolicy} backed by a JavaScript module exporting
 * {@code steer(flow, workers)}. The script runs once per new flow; its answer
 * is kept in a flow table, so packets of known flows never enter JavaScript.
 */
public interface ScriptSteeringPolicy extends SteeringPolicy, ScriptHandle {
    /** Number of flows currently remembered. */
    int trackedFlows();
    /** Stops watching the file; each context closes once no call or stream uses it. */
    @Override
    void close();
}
