package yastack.api;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import yastack.api.config.RetryPolicy;

/**
 * When and how often a route retries (Envoy's {@code retry_policy}). {@code 5xx} and
 * {@code gateway-error} also cover an upstream that never answered (connect failure, reset,
 * per-try timeout), as in Envoy. A retry goes to another endpoint when there is one, after a
 * jittered back-off; the route's timeout covers every try.
 *
 * @param perTryTimeout the limit of one try, or {@link Duration#ZERO} for none
 * @param perTryIdleTimeout the longest a try may go without bytes from the upstream (before
 *        its response head: retried as a per-try timeout; after: the stream is reset), or
 *        {@link Duration#ZERO} for none
 */
public record RetryRules(Set<On> retryOn, int numRetries, Duration perTryTimeout, Set<Integer> retriableStatusCodes,
                         Duration perTryIdleTimeout) {
    /** The conditions of Envoy's {@code retry_on}. */
    public enum On {
        FIVE_XX("5xx"), GATEWAY_ERROR("gateway-error"), RESET("reset"), CONNECT_FAILURE("connect-failure"),
        RETRIABLE_STATUS_CODES("retriable-status-codes");

        private final String configName;

        On(String configName) {
            this.configName = configName;
        }

        /** The name in {@code retry_on}, e.g. {@code gateway-error}. */
        public String configName() {
            return configName;
        }

        /** The condition named {@code name} in {@code retry_on}; throws for an unknown one. */
        public static On of(String name) {
            String n = name.trim().toLowerCase(Locale.ROOT);
            for (On o : values()) if (o.configName.equals(n)) return o;
            throw new IllegalArgumentException("unknown retry_on condition '" + name
                    + "' (5xx, gateway-error, reset, connect-failure, retriable-status-codes)");
        }
    }

    /** Without a per-try idle timeout. */
    public RetryRules(Set<On> retryOn, int numRetries, Duration perTryTimeout, Set<Integer> retriableStatusCodes) {
        this(retryOn, numRetries, perTryTimeout, retriableStatusCodes, Duration.ZERO);
    }

    public RetryRules {
        retryOn = retryOn.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(retryOn));
        Objects.requireNonNull(perTryTimeout, "perTryTimeout");
        Objects.requireNonNull(perTryIdleTimeout, "perTryIdleTimeout");
        retriableStatusCodes = Set.copyOf(retriableStatusCodes);
        if (numRetries < 0) throw new IllegalArgumentException("numRetries must not be negative");
    }

    /** The rules of a config's {@code retry_policy} (one retry by default); throws for an unknown condition. */
    public static RetryRules of(RetryPolicy p) {
        Duration perTry = p.hasPerTryTimeout()
                ? Duration.ofSeconds(p.getPerTryTimeout().getSeconds(), p.getPerTryTimeout().getNanos()) : Duration.ZERO;
        Duration perTryIdle = p.hasPerTryIdleTimeout()
                ? Duration.ofSeconds(p.getPerTryIdleTimeout().getSeconds(), p.getPerTryIdleTimeout().getNanos()) : Duration.ZERO;
        return new RetryRules(parse(p.getRetryOn()), p.hasNumRetries() ? p.getNumRetries() : 1, perTry,
                Set.copyOf(p.getRetriableStatusCodesList()), perTryIdle);
    }

    /** Parses Envoy's comma list, e.g. {@code "5xx,connect-failure"}; throws for an unknown condition. */
    public static Set<On> parse(String retryOn) {
        Set<On> out = EnumSet.noneOf(On.class);
        for (String c : retryOn.split(",")) if (!c.isBlank()) out.add(On.of(c));
        return out;
    }

    /** A response with this status is tried again. */
    public boolean retriesStatus(int status) {
        return (retryOn.contains(On.FIVE_XX) && status >= 500)
                || (retryOn.contains(On.GATEWAY_ERROR) && status >= 502 && status <= 504)
                || (retryOn.contains(On.RETRIABLE_STATUS_CODES) && retriableStatusCodes.contains(status));
    }

    /** The upstream closed or reset the connection before a response head. */
    public boolean retriesReset() {
        return retryOn.contains(On.RESET) || upstreamNeverAnswered();
    }

    public boolean retriesConnectFailure() {
        return retryOn.contains(On.CONNECT_FAILURE) || upstreamNeverAnswered();
    }

    /** The per-try timeout fired before a response head. */
    public boolean retriesTimeout() {
        return retryOn.contains(On.RESET) || upstreamNeverAnswered();
    }

    private boolean upstreamNeverAnswered() {
        return retryOn.contains(On.FIVE_XX) || retryOn.contains(On.GATEWAY_ERROR);
    }
}
