/**
 * The built-in load balancers, loaded through the same SPI a third-party balancer uses:
 * {@code round_robin}, {@code least_request}, {@code random}, {@code ring_hash}, {@code maglev}.
 */
module yastack.plugin.lb {
    requires yastack.api;

    provides yastack.api.LoadBalancerFactory with
            yastack.plugin.lb.RoundRobinFactory,
            yastack.plugin.lb.LeastRequestFactory,
            yastack.plugin.lb.RandomFactory,
            yastack.plugin.lb.RingHashFactory,
            yastack.plugin.lb.MaglevFactory;
}
