/** Built-in RSS steering policies: {@code toeplitz} (the default) and {@code round-robin-new-flows}. */
module yastack.plugin.steering {
    requires yastack.api;

    provides yastack.api.SteeringPolicyFactory with
            yastack.plugin.steering.ToeplitzSteeringFactory,
            yastack.plugin.steering.RoundRobinNewFlowsFactory;
}
