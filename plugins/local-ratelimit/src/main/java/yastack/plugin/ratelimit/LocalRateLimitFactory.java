package yastack.plugin.ratelimit;

import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import yastack.api.ConfiguredHttpFilter;
import yastack.api.FilterResult;
import yastack.api.HttpFilter;
import yastack.api.HttpFilterFactory;
import yastack.api.HttpRequestHead;
import yastack.api.HttpStream;
import yastack.api.LocalReply;
import yastack.api.PluginConfig;
import yastack.api.PluginConfigException;
import yastack.api.PluginContext;
import yastack.api.PluginStats;

/**
 * {@code local-ratelimit}: a token bucket per listener (the default), per route
 * or per client IP, local to this process. A request that finds the bucket
 * empty gets {@code 429} with {@code retry-after} (whole seconds until the next
 * fill).
 *
 * <pre>
 * config: {max_tokens: 5, tokens_per_fill: 1, fill_interval: 60s, key: client_ip}
 * </pre>
 *
 * Stats: {@code plugin.local-ratelimit.allowed}, {@code .rate_limited},
 * {@code .buckets} (gauge).
 */
public final class LocalRateLimitFactory implements HttpFilterFactory {
    enum Key { LISTENER, ROUTE, CLIENT_IP }

    @Override
    public String name() {
        return "local-ratelimit";
    }

    @Override
    public String description() {
        return "token bucket per listener, route or client IP; 429 with retry-after";
    }

    record Settings(long maxTokens, long tokensPerFill, Duration fillInterval, Key key, int status, int maxBuckets) {}

    static Settings settings(PluginConfig c) throws PluginConfigException {
        c.requireOnly("max_tokens", "tokens_per_fill", "fill_interval", "key", "status", "max_buckets");
        long max = c.requireInteger("max_tokens");
        if (max < 1) throw new PluginConfigException(c.path("max_tokens") + ": must be at least 1");
        long perFill = c.integer("tokens_per_fill", 1);
        if (perFill < 1) throw new PluginConfigException(c.path("tokens_per_fill") + ": must be at least 1");
        Duration interval = c.requireDuration("fill_interval");
        if (interval.toMillis() < 1) throw new PluginConfigException(c.path("fill_interval") + ": must be at least 1ms");
        String k = c.string("key", "listener");
        Key key = switch (k) {
            case "listener" -> Key.LISTENER;
            case "route" -> Key.ROUTE;
            case "client_ip" -> Key.CLIENT_IP;
            default -> throw new PluginConfigException(c.path("key") + ": \"" + k + "\" is not one of listener, route, client_ip");
        };
        long status = c.integer("status", 429);
        if (status < 400 || status > 599) throw new PluginConfigException(c.path("status") + ": must be a 4xx or 5xx status");
        long maxBuckets = c.integer("max_buckets", 100_000);
        if (maxBuckets < 1) throw new PluginConfigException(c.path("max_buckets") + ": must be at least 1");
        return new Settings(max, perFill, interval, key, (int) status, (int) Math.min(Integer.MAX_VALUE, maxBuckets));
    }

    @Override
    public void validate(PluginConfig config) throws PluginConfigException {
        settings(config);
    }

    @Override
    public ConfiguredHttpFilter create(PluginConfig config, PluginContext context) throws PluginConfigException {
        Settings s = settings(config);
        Limiter limiter = new Limiter(s, context);
        return stream -> new HttpFilter() {
            @Override
            public FilterResult onRequestHeaders(HttpStream st, HttpRequestHead request) {
                return limiter.check(st);
            }
        };
    }

    /** The buckets of one configured filter, shared by all workers. */
    static final class Limiter {
        private final Settings settings;
        private final PluginContext context;
        private final Map<String, TokenBucket> buckets = new ConcurrentHashMap<>();
        private final PluginStats.Counter allowed;
        private final PluginStats.Counter limited;
        private final PluginStats.Gauge bucketCount;

        Limiter(Settings settings, PluginContext context) {
            this.settings = settings;
            this.context = context;
            this.allowed = context.stats().counter("allowed");
            this.limited = context.stats().counter("rate_limited");
            this.bucketCount = context.stats().gauge("buckets");
        }

        FilterResult check(HttpStream stream) {
            long now = context.nanoTime();
            String key = switch (settings.key()) {
                case LISTENER -> stream.listenerName();
                case ROUTE -> stream.listenerName() + "/" + stream.routeName();
                case CLIENT_IP -> stream.downstreamRemoteAddress().getAddress().getHostAddress();
            };
            TokenBucket b = buckets.get(key);
            if (b == null) {
                if (buckets.size() >= settings.maxBuckets()) evictIdle(now);
                b = buckets.computeIfAbsent(key, k -> new TokenBucket(settings.maxTokens(), settings.tokensPerFill(),
                        settings.fillInterval().toNanos(), now));
                bucketCount.set(buckets.size());
            }
            long wait = b.tryTake(now);
            if (wait < 0) {
                allowed.inc();
                return FilterResult.proceed();
            }
            limited.inc();
            long seconds = Math.max(1, (wait + 999_999_999L) / 1_000_000_000L);
            return FilterResult.respond(LocalReply.of(settings.status(), "rate limited\n")
                    .withHeader("retry-after", Long.toString(seconds))
                    .withHeader("x-ratelimit-limit", Long.toString(settings.maxTokens())));
        }

        /** Forgets full buckets (same as new ones); if none is full, the oldest-looking entries go. */
        private void evictIdle(long now) {
            buckets.values().removeIf(b -> b.isFull(now));
            Iterator<String> it = buckets.keySet().iterator();
            while (buckets.size() >= settings.maxBuckets() && it.hasNext()) {
                it.next();
                it.remove();
            }
        }

        int bucketCount() {
            return buckets.size();
        }
    }
}
