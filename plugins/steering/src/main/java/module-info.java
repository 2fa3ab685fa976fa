/** Built-in RSS steering policies: {@code toeplitz}, {@code round-robin-new-flows}, {@code drain-aware}. */
module yastack.plugin.steering {
    requires yastack.api;

    provides yastack.api.SteeringPolicyFactory with
            yastack.plugin.steering.ToeplitzSteeringFactory,
            yastack.plugin.steering.RoundRobinNewFlowsFactory,
            yastack.plugin.steering.DrainAwareSteeringFactory;
}
