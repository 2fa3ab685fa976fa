package yastack.xds;

import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc.AggregatedDiscoveryServiceStub;
import io.grpc.ManagedChannel;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContextBuilder;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import javax.net.ssl.SSLException;
import yastack.api.config.Cluster;
import yastack.api.config.Endpoint;
import yastack.kernel.util.Logs;

/**
 * The gRPC side of ADS: one {@code StreamAggregatedResources} (state of the world, {@code Q}
 * and {@code R} are {@code DiscoveryRequest}/{@code Response}) or
 * {@code DeltaAggregatedResources} call at a time to the control
 * plane's cluster, whose endpoints are tried in turn, one per connection attempt. It runs on
 * a loop of its own (never a worker's); everything it reports goes to the client's executor,
 * and a report from a stream that has since been replaced is dropped.
 */
final class AdsStream<Q, R> implements AutoCloseable {
    private static final System.Logger LOG = Logs.get("yastack.xds");
    /** Big route tables and endpoint sets are legitimate; gRPC's default is 4 MiB. */
    private static final int MAX_MESSAGE_BYTES = 64 << 20;

    interface Events<R> {
        void onResponse(R response);

        /** The stream ended: {@code cause} null when the server completed it. */
        void onClosed(Throwable cause);
    }

    private final BiFunction<AggregatedDiscoveryServiceStub, StreamObserver<R>, StreamObserver<Q>> call;
    private final Cluster cluster;
    private final Path baseDir;
    private final Executor executor;
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private ManagedChannel channel;
    private StreamObserver<Q> requests;
    private int attempts;
    private long generation;

    /** {@code call} starts the bidirectional call on a stub, e.g. {@code AggregatedDiscoveryServiceStub::streamAggregatedResources}. */
    AdsStream(BiFunction<AggregatedDiscoveryServiceStub, StreamObserver<R>, StreamObserver<Q>> call, Cluster cluster, Path baseDir,
              Executor executor) {
        this.call = call;
        this.cluster = cluster;
        this.baseDir = baseDir;
        this.executor = executor;
    }

    /** The endpoint the next {@link #open} connects to, e.g. {@code 127.0.0.1:18000}. */
    String nextTarget() {
        Endpoint e = cluster.getEndpoints(attempts % cluster.getEndpointsCount());
        return e.getAddress() + ":" + e.getPort();
    }

    /** Starts a new stream (closing the previous one) to the next endpoint of the cluster. */
    void open(Events<R> events) {
        closeChannel();
        Endpoint e = cluster.getEndpoints(attempts++ % cluster.getEndpointsCount());
        channel = channel(e);
        long mine = ++generation;
        requests = call.apply(AggregatedDiscoveryServiceGrpc.newStub(channel), new StreamObserver<>() {
            @Override
            public void onNext(R r) {
                run(() -> {
                    if (mine == generation) events.onResponse(r);
                });
            }

            @Override
            public void onError(Throwable t) {
                run(() -> {
                    if (mine == generation) events.onClosed(t);
                });
            }

            @Override
            public void onCompleted() {
                run(() -> {
                    if (mine == generation) events.onClosed(null);
                });
            }
        });
    }

    /** Runs {@code task} on the client's executor; a bug in it is logged, not lost. */
    private void run(Runnable task) {
        executor.execute(() -> {
            try {
                task.run();
            } catch (RuntimeException | Error e) {
                LOG.log(System.Logger.Level.ERROR, "xds: " + e, e);
            }
        });
    }

    /** Sends on the current stream (from the client's executor only). */
    void send(Q request) {
        if (requests != null) requests.onNext(request);
    }

    private ManagedChannel channel(Endpoint e) {
        NettyChannelBuilder b = NettyChannelBuilder.forAddress(e.getAddress(), e.getPort())
                .eventLoopGroup(group).channelType(NioSocketChannel.class).directExecutor()
                .maxInboundMessageSize(MAX_MESSAGE_BYTES);
        if (!cluster.hasTls()) return b.usePlaintext().build();
        try {
            SslContextBuilder ssl = GrpcSslContexts.forClient();
            String ca = cluster.getTls().getCa();
            if (!ca.isEmpty()) ssl.trustManager(baseDir.resolve(ca).toFile());
            b.sslContext(ssl.build());
        } catch (SSLException | RuntimeException ex) {
            throw new IllegalStateException("cluster " + cluster.getName() + ": cannot set up TLS: " + ex.getMessage(), ex);
        }
        if (!cluster.getTls().getSni().isEmpty()) b.overrideAuthority(cluster.getTls().getSni());
        return b.build();
    }

    private void closeChannel() {
        generation++;
        if (requests != null) {
            try {
                requests.onCompleted();
            } catch (RuntimeException e) {
                // the call is already gone
            }
            requests = null;
        }
        if (channel != null) {
            channel.shutdownNow();
            channel = null;
        }
    }

    @Override
    public void close() {
        closeChannel();
        try {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.log(System.Logger.Level.DEBUG, "xds: stream closed");
    }

    List<Endpoint> endpoints() {
        return cluster.getEndpointsList();
    }
}
