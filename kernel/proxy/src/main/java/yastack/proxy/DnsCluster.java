package yastack.proxy;

import com.google.protobuf.util.Durations;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramChannel;
import io.netty.handler.codec.dns.DefaultDnsQuestion;
import io.netty.handler.codec.dns.DnsRawRecord;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.resolver.dns.DnsErrorCauseException;
import io.netty.resolver.dns.DnsNameResolver;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.DnsNameResolverException;
import io.netty.resolver.dns.DnsServerAddressStreamProviders;
import io.netty.resolver.dns.NoopAuthoritativeDnsServerCache;
import io.netty.resolver.dns.NoopDnsCache;
import io.netty.resolver.dns.NoopDnsCnameCache;
import io.netty.resolver.dns.SequentialDnsServerAddressStreamProvider;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import yastack.api.config.Cluster;
import yastack.api.config.DiscoveryType;
import yastack.api.config.Cluster.DnsLookupFamily;
import yastack.kernel.stats.Counter;
import yastack.kernel.util.Logs;
import yastack.proxy.cluster.ClusterRuntime;
import yastack.proxy.cluster.Endpoint;
import yastack.proxy.cluster.EndpointHealth;

/**
 * One DNS cluster kept in line with DNS, as Envoy's strict_dns and logical_dns clusters are:
 * Netty's resolver on the first worker's loop asks the cluster's resolvers every
 * {@code dns_refresh_rate} (or when the answer's TTL ends). strict_dns: every address of every
 * name is an endpoint; a changed set becomes a new runtime (addresses that stay keep their
 * health; the ones that left drain as a reload's do). logical_dns: the first address is where
 * new connections go. A lookup that fails (time-out, server down, SERVFAIL) keeps the last
 * answer and is counted; a name that does not exist (NXDOMAIN, no records) is an empty answer.
 */
final class DnsCluster {
    private static final System.Logger LOG = Logs.get("yastack");
    private static final long MIN_REFRESH_MILLIS = 1000;
    private static final long DEFAULT_REFRESH_MILLIS = 5000;

    /** Puts a changed runtime into the current snapshot; false when a reload replaced the old one meanwhile. */
    interface Publisher {
        boolean replace(ClusterRuntime old, ClusterRuntime fresh);
    }

    /** Addresses of one name, and the smallest TTL among them (seconds; Long.MAX_VALUE for none). */
    private record Found(List<InetAddress> addresses, long ttl) {
        static final Found NONE = new Found(List.of(), Long.MAX_VALUE);

        Found plus(Found o) {
            List<InetAddress> all = new ArrayList<>(addresses);
            all.addAll(o.addresses);
            return new Found(all, Math.min(ttl, o.ttl));
        }
    }

    private final Cluster config;
    private final String name;
    private final EventLoop loop;
    private final DnsNameResolver resolver;
    private final Publisher publisher;
    private final long refreshMillis;
    private final Counter attempt, success, failure, empty, membershipChange, membershipTotal;
    private volatile ClusterRuntime current;
    private ScheduledFuture<?> next;
    private volatile boolean stopped;
    private boolean failing;
    /** When the lookup after the last one is due. */
    private volatile long nextDelayMillis;

    DnsCluster(ClusterRuntime runtime, ProxyWorker worker, Class<? extends DatagramChannel> udp, Publisher publisher) {
        this.config = runtime.config();
        this.name = runtime.name();
        this.current = runtime;
        this.loop = worker.loop;
        this.publisher = publisher;
        this.refreshMillis = config.hasDnsRefreshRate() ? Math.max(1, Durations.toMillis(config.getDnsRefreshRate())) : DEFAULT_REFRESH_MILLIS;
        String p = "cluster." + name + ".";
        attempt = worker.stats.counter(p + "update_attempt");
        success = worker.stats.counter(p + "update_success");
        failure = worker.stats.counter(p + "update_failure");
        empty = worker.stats.counter(p + "update_empty");
        membershipChange = worker.stats.counter(p + "membership_change");
        membershipTotal = worker.stats.gauge(p + "membership_total");
        DnsNameResolverBuilder b = new DnsNameResolverBuilder(loop).datagramChannelType(udp)
                // Every refresh asks the server: TTLs are this class's to honour, not a cache's.
                .resolveCache(NoopDnsCache.INSTANCE).cnameCache(NoopDnsCnameCache.INSTANCE)
                .authoritativeDnsServerCache(NoopAuthoritativeDnsServerCache.INSTANCE)
                .queryTimeoutMillis(Math.clamp(refreshMillis, 1000, 5000))
                .maxQueriesPerResolve(Math.max(2, config.getDnsResolversCount()));
        if (config.getDnsResolversCount() > 0) {
            List<InetSocketAddress> servers = new ArrayList<>();
            for (String r : config.getDnsResolversList()) servers.add(resolverAddress(r));
            b.nameServerProvider(new SequentialDnsServerAddressStreamProvider(servers));
        } else {
            b.nameServerProvider(DnsServerAddressStreamProviders.platformDefault());
        }
        this.resolver = b.build();
    }

    /** "ip", "ip:port" or "[ipv6]:port" (checked by the config's validator), port 53 by default. */
    static InetSocketAddress resolverAddress(String r) {
        String host = r;
        int port = 53;
        int colon = r.lastIndexOf(':');
        if (r.startsWith("[")) {
            int close = r.indexOf(']');
            host = r.substring(1, close);
            if (close + 1 < r.length()) port = Integer.parseInt(r.substring(close + 2));
        } else if (colon > 0 && r.indexOf(':') == colon) {
            host = r.substring(0, colon);
            port = Integer.parseInt(r.substring(colon + 1));
        }
        return new InetSocketAddress(InetAddress.ofLiteral(host), port);
    }

    static boolean isDns(ClusterRuntime c) {
        DiscoveryType t = c.config().getType();
        return t == DiscoveryType.STRICT_DNS || t == DiscoveryType.LOGICAL_DNS;
    }

    String name() {
        return name;
    }

    ClusterRuntime current() {
        return current;
    }

    /** The runtime the published snapshot holds for this cluster (the one refreshes replace). */
    void adopt(ClusterRuntime live) {
        current = live;
    }

    /**
     * The first lookup, before the cluster is published: completes with the runtime to
     * publish (the answer's; when DNS could not be asked, strict_dns has no endpoints and
     * logical_dns looks its name up at connect time until a refresh answers).
     */
    CompletableFuture<ClusterRuntime> first() {
        CompletableFuture<ClusterRuntime> done = new CompletableFuture<>();
        loop.execute(() -> lookup().whenComplete((found, cause) -> {
            loop.execute(() -> {
                nextDelayMillis = refreshMillis;
                if (cause == null) {
                    current = applied(current, found);
                    nextDelayMillis = delayAfter(found);
                } else {
                    // No answer yet: a strict_dns cluster has no endpoints (503) until DNS answers.
                    if (config.getType() == DiscoveryType.STRICT_DNS) current = current.withEndpoints(List.of());
                    failed(cause);
                }
                done.complete(current);
            });
        }));
        return done;
    }

    /** Published: refreshes from now on. */
    void start() {
        loop.execute(() -> schedule(nextDelayMillis));
    }

    void stop() {
        stopped = true;
        loop.execute(() -> {
            if (next != null) next.cancel(false);
            resolver.close();
        });
    }

    private void schedule(long delayMillis) {
        if (stopped) return;
        next = loop.schedule(this::refresh, delayMillis, TimeUnit.MILLISECONDS);
    }

    private void refresh() {
        if (stopped) return;
        lookup().whenComplete((found, cause) -> loop.execute(() -> {
            if (stopped) return;
            long delay = refreshMillis;
            if (cause != null) {
                failed(cause);
            } else {
                ClusterRuntime fresh = applied(current, found);
                if (fresh != current && publisher.replace(current, fresh)) current = fresh;
                delay = delayAfter(found);
            }
            schedule(delay);
        }));
    }

    /** dns_refresh_rate, or with respect_dns_ttl the answer's smallest TTL (at least a second). */
    private long delayAfter(List<Found> found) {
        long ttl = found.stream().mapToLong(Found::ttl).min().orElse(Long.MAX_VALUE);
        if (!config.getRespectDnsTtl() || ttl == Long.MAX_VALUE) return refreshMillis;
        return Math.max(MIN_REFRESH_MILLIS, TimeUnit.SECONDS.toMillis(ttl));
    }

    /** Every endpoint's name looked up; completes with the addresses in endpoint order. */
    private CompletableFuture<List<Found>> lookup() {
        attempt.inc();
        List<CompletableFuture<Found>> each = new ArrayList<>();
        for (var e : config.getEndpointsList()) each.add(lookup(e.getAddress()));
        return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new))
                .thenApply(v -> each.stream().map(CompletableFuture::join).toList());
    }

    private CompletableFuture<Found> lookup(String host) {
        InetAddress literal = literal(host);
        if (literal != null) return CompletableFuture.completedFuture(new Found(List.of(literal), Long.MAX_VALUE));
        DnsLookupFamily family = config.getDnsLookupFamily();
        return switch (family) {
            case V4_ONLY -> query(host, DnsRecordType.A);
            case V6_ONLY -> query(host, DnsRecordType.AAAA);
            case V4_PREFERRED -> query(host, DnsRecordType.A).thenCompose(f -> f.addresses().isEmpty() ? query(host, DnsRecordType.AAAA)
                    : CompletableFuture.completedFuture(f));
            case ALL -> query(host, DnsRecordType.A).thenCombine(query(host, DnsRecordType.AAAA), Found::plus);
            default -> query(host, DnsRecordType.AAAA).thenCompose(f -> f.addresses().isEmpty() ? query(host, DnsRecordType.A)
                    : CompletableFuture.completedFuture(f));
        };
    }

    private CompletableFuture<Found> query(String host, DnsRecordType type) {
        CompletableFuture<Found> out = new CompletableFuture<>();
        resolver.resolveAll(new DefaultDnsQuestion(host, type)).addListener((Future<List<DnsRecord>> f) -> {
            if (!f.isSuccess()) {
                if (noSuchRecords(f.cause())) out.complete(Found.NONE);
                else out.completeExceptionally(f.cause());
                return;
            }
            List<InetAddress> addresses = new ArrayList<>();
            long ttl = Long.MAX_VALUE;
            try {
                for (DnsRecord r : f.getNow()) {
                    if (r.type() == type && r instanceof DnsRawRecord raw) {
                        addresses.add(InetAddress.getByAddress(host, ByteBufUtil.getBytes(raw.content())));
                        ttl = Math.min(ttl, r.timeToLive());
                    }
                }
                out.complete(new Found(addresses, ttl));
            } catch (UnknownHostException e) {
                out.completeExceptionally(e); // a record of the wrong length: the server is broken
            } finally {
                f.getNow().forEach(ReferenceCountUtil::release);
            }
        });
        return out;
    }

    /**
     * Whether a failed lookup means the name has no such records (NXDOMAIN, or an answer
     * without them) rather than that DNS could not be asked (time-out, refused, unreachable,
     * SERVFAIL).
     */
    static boolean noSuchRecords(Throwable t) {
        boolean unknownHost = false;
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof DnsErrorCauseException e) return e.getCode() == DnsResponseCode.NXDOMAIN;
            if (c instanceof DnsNameResolverException) return false;
            if (c instanceof UnknownHostException) unknownHost = true;
            else if (c instanceof IOException) return false;
        }
        return unknownHost;
    }

    private void failed(Throwable cause) {
        failure.inc();
        if (!failing) {
            failing = true;
            LOG.log(System.Logger.Level.WARNING, "cluster " + name + ": DNS lookup failed, keeping the last answer ("
                    + current.endpoints().size() + " endpoints): " + rootMessage(cause));
        }
    }

    /** The runtime {@code found} gives: strict_dns a new one when the set changed; logical_dns the same one, re-pointed. */
    private ClusterRuntime applied(ClusterRuntime rt, List<Found> found) {
        success.inc();
        if (failing) {
            failing = false;
            LOG.log(System.Logger.Level.INFO, "cluster " + name + ": DNS answers again");
        }
        if (config.getType() == DiscoveryType.LOGICAL_DNS) {
            List<InetAddress> all = found.getFirst().addresses();
            if (all.isEmpty()) {
                empty.inc();
                return rt;
            }
            Endpoint only = rt.endpoints().getFirst();
            if (!all.getFirst().getHostAddress().equals(only.connectHost())) {
                only.resolvedTo(all.getFirst());
                membershipChange.inc();
                LOG.log(System.Logger.Level.INFO, "cluster " + name + ": " + only.hostname() + " now " + all.getFirst().getHostAddress());
            }
            membershipTotal.add(1 - membershipTotal.get());
            return rt;
        }
        List<Endpoint> endpoints = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (int i = 0; i < found.size(); i++) {
            var configured = config.getEndpoints(i);
            for (InetAddress a : found.get(i).addresses()) {
                String ip = a.getHostAddress();
                if (!seen.add(ip + ":" + configured.getPort())) continue;
                endpoints.add(new Endpoint(endpoints.size(), ip, configured.getPort(), configured.getWeight(), configured.getPriority(),
                        configured.getAddress(), healthOf(rt, ip, configured.getPort())));
            }
        }
        if (endpoints.isEmpty()) empty.inc();
        membershipTotal.add(endpoints.size() - membershipTotal.get());
        if (sameMembers(rt.endpoints(), endpoints)) return rt;
        membershipChange.inc();
        LOG.log(System.Logger.Level.INFO, "cluster " + name + ": DNS answer " + endpoints.stream().map(Endpoint::host).toList());
        return rt.withEndpoints(endpoints);
    }

    /** An address that stays keeps its health; a new one starts as configured ones do (failed, if actively checked). */
    private EndpointHealth healthOf(ClusterRuntime rt, String ip, int port) {
        for (Endpoint e : rt.endpoints()) {
            if (e.host().equals(ip) && e.port() == port) return e.health();
        }
        EndpointHealth h = new EndpointHealth();
        if (config.hasHealthCheck()) h.failedActiveCheck(true);
        return h;
    }

    private static boolean sameMembers(List<Endpoint> a, List<Endpoint> b) {
        if (a.size() != b.size()) return false;
        for (int i = 0; i < a.size(); i++) {
            if (!a.get(i).host().equals(b.get(i).host()) || a.get(i).port() != b.get(i).port()) return false;
        }
        return true;
    }

    private static InetAddress literal(String host) {
        if (!host.matches("[0-9.]+") && host.indexOf(':') < 0) return null;
        try {
            return InetAddress.ofLiteral(host);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) c = c.getCause();
        return t == c ? String.valueOf(t.getMessage()) : t.getMessage() + " (" + c + ")";
    }
}
