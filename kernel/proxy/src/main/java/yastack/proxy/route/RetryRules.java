package yastack.proxy.route;

import java.util.Set;
import yastack.api.config.RetryPolicy;

/**
 * A route's compiled retry policy (Envoy's {@code retry_on} conditions). {@code 5xx} and
 * {@code gateway-error} also cover an upstream that never answered (connect failure, reset,
 * per-try timeout), as in Envoy.
 */
public record RetryRules(boolean any5xx, boolean gatewayError, boolean reset, boolean connectFailure,
                         Set<Integer> statusCodes, int numRetries, long perTryTimeoutMillis) {
    static RetryRules compile(RetryPolicy p) {
        boolean any5xx = false, gateway = false, reset = false, connect = false, codes = false;
        for (String c : p.getRetryOn().split(",")) {
            switch (c.trim()) {
                case "5xx" -> any5xx = true;
                case "gateway-error" -> gateway = true;
                case "reset" -> reset = true;
                case "connect-failure" -> connect = true;
                case "retriable-status-codes" -> codes = true;
                default -> { } // the validator refuses unknown conditions
            }
        }
        return new RetryRules(any5xx, gateway, reset, connect,
                codes ? Set.copyOf(p.getRetriableStatusCodesList()) : Set.of(),
                p.hasNumRetries() ? p.getNumRetries() : 1,
                p.hasPerTryTimeout() ? com.google.protobuf.util.Durations.toMillis(p.getPerTryTimeout()) : 0);
    }

    /** A response with this status is tried again. */
    public boolean retriesStatus(int status) {
        return (any5xx && status >= 500) || (gatewayError && status >= 502 && status <= 504) || statusCodes.contains(status);
    }

    /** The upstream closed or reset the connection before a response head. */
    public boolean retriesReset() {
        return reset || any5xx || gatewayError;
    }

    public boolean retriesConnectFailure() {
        return connectFailure || any5xx || gatewayError;
    }

    /** The per-try timeout fired before a response head. */
    public boolean retriesTimeout() {
        return any5xx || gatewayError || reset;
    }
}
