package yastack.plugin.fault;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
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
 * {@code fault}: Envoy's fault injection, to see how clients and services behave when this hop
 * is slow or failing. A share of the requests waits {@code delay} before going on (the worker
 * serves others meanwhile), a share is answered {@code abort}'s status instead of being
 * forwarded ({@code fault filter abort}, as Envoy says); with {@code header_delay} /
 * {@code header_abort} the request itself asks, in Envoy's {@code x-envoy-fault-delay-request}
 * (milliseconds) and {@code x-envoy-fault-abort-request} (a status) headers, which a trusted
 * caller sends. {@code header} limits faults to requests that carry it.
 *
 * <pre>
 * config:
 *   delay: {fixed_delay: 2s, percentage: 10}
 *   abort: {http_status: 503, percentage: 5}
 *   header: x-chaos               # only requests with this header
 *   max_active_faults: 100        # at most this many at once (default: no limit)
 * </pre>
 *
 * Stats: {@code plugin.fault.delays_injected}, {@code .aborts_injected}, {@code .faults_overflow};
 * gauge {@code .active_faults}.
 */
public final class FaultFilterFactory implements HttpFilterFactory {
    static final String DELAY_HEADER = "x-envoy-fault-delay-request", ABORT_HEADER = "x-envoy-fault-abort-request";

    @Override
    public String name() {
        return "fault";
    }

    @Override
    public String description() {
        return "inject delays and aborts into a share of requests, or as the request's headers ask (Envoy's fault injection)";
    }

    /** {@code delay} null: the request's header says; {@code status} 0: likewise. */
    record Delay(Duration delay, double percentage) {}

    record Abort(int status, double percentage) {}

    record Settings(Delay delay, Abort abort, String header, long maxActive) {}

    static Settings settings(PluginConfig c) throws PluginConfigException {
        c.requireOnly("delay", "abort", "header", "max_active_faults");
        Delay delay = null;
        if (c.has("delay")) {
            PluginConfig d = c.object("delay").requireOnly("fixed_delay", "header_delay", "percentage");
            boolean fromHeader = d.bool("header_delay", false);
            if (fromHeader == d.has("fixed_delay")) throw new PluginConfigException(d.path() + ": give one of fixed_delay and header_delay: true");
            Duration fixed = fromHeader ? null : d.requireDuration("fixed_delay");
            if (fixed != null && fixed.isNegative()) throw new PluginConfigException(d.path("fixed_delay") + ": must not be negative");
            delay = new Delay(fixed, percentage(d));
        }
        Abort abort = null;
        if (c.has("abort")) {
            PluginConfig a = c.object("abort").requireOnly("http_status", "header_abort", "percentage");
            boolean fromHeader = a.bool("header_abort", false);
            if (fromHeader == a.has("http_status")) throw new PluginConfigException(a.path() + ": give one of http_status and header_abort: true");
            long status = fromHeader ? 0 : a.requireInteger("http_status");
            if (!fromHeader && (status < 200 || status > 599)) throw new PluginConfigException(a.path("http_status") + ": must be 200..599, got " + status);
            abort = new Abort((int) status, percentage(a));
        }
        if (delay == null && abort == null) throw new PluginConfigException(c.path() + ": give delay, abort or both");
        long max = c.integer("max_active_faults", 0);
        if (max < 0) throw new PluginConfigException(c.path("max_active_faults") + ": must not be negative");
        return new Settings(delay, abort, c.string("header", ""), max);
    }

    private static double percentage(PluginConfig c) throws PluginConfigException {
        double p = c.number("percentage", 100);
        if (!(p >= 0 && p <= 100)) throw new PluginConfigException(c.path("percentage") + ": must be 0..100, got " + p);
        return p;
    }

    @Override
    public void validate(PluginConfig config) throws PluginConfigException {
        settings(config);
    }

    @Override
    public ConfiguredHttpFilter create(PluginConfig config, PluginContext context) throws PluginConfigException {
        Settings s = settings(config);
        PluginStats stats = context.stats();
        PluginStats.Counter delays = stats.counter("delays_injected"), aborts = stats.counter("aborts_injected"),
                overflow = stats.counter("faults_overflow");
        PluginStats.Gauge activeGauge = stats.gauge("active_faults");
        AtomicInteger active = new AtomicInteger();
        return stream -> new HttpFilter() {
            private boolean counted;

            @Override
            public FilterResult onRequestHeaders(HttpStream st, HttpRequestHead request) {
                if (!s.header().isEmpty() && !request.headers().contains(s.header())) return FilterResult.proceed();
                Duration delay = s.delay() == null ? null : delayFor(s.delay(), request);
                int status = s.abort() == null ? 0 : statusFor(s.abort(), request);
                if (delay == null && status == 0) return FilterResult.proceed();
                if (s.maxActive() > 0 && active.get() >= s.maxActive()) {
                    overflow.inc();
                    return FilterResult.proceed();
                }
                counted = true;
                activeGauge.set(active.incrementAndGet());
                if (delay == null) return abort(status);
                delays.inc();
                CompletableFuture<FilterResult> later = new CompletableFuture<>();
                st.worker().schedule(delay, () -> later.complete(status != 0 ? abort(status) : FilterResult.proceed()));
                return FilterResult.async(later);
            }

            private FilterResult abort(int status) {
                aborts.inc();
                return FilterResult.respond(LocalReply.of(status, "fault filter abort"));
            }

            @Override
            public void onComplete(HttpStream st, yastack.api.StreamSummary summary) {
                if (counted) activeGauge.set(active.decrementAndGet());
            }
        };
    }

    /** The delay for this request, or null for none. */
    private static Duration delayFor(Delay d, HttpRequestHead request) {
        Duration delay = d.delay();
        if (delay == null) {
            long ms = number(request.headers().get(DELAY_HEADER));
            if (ms <= 0) return null;
            delay = Duration.ofMillis(ms);
        }
        return rolls(d.percentage()) ? delay : null;
    }

    /** The status to answer this request with, or 0 for none. */
    private static int statusFor(Abort a, HttpRequestHead request) {
        int status = a.status();
        if (status == 0) {
            long s = number(request.headers().get(ABORT_HEADER));
            if (s < 200 || s > 599) return 0;
            status = (int) s;
        }
        return rolls(a.percentage()) ? status : 0;
    }

    private static boolean rolls(double percentage) {
        return percentage >= 100 || ThreadLocalRandom.current().nextDouble() * 100 < percentage;
    }

    private static long number(String v) {
        if (v == null) return -1;
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
