/**
 * The yastack plugin SPI. A plugin jar provides one or more of
 * {@link yastack.api.HttpFilterFactory}, {@link yastack.api.RouterFactory},
 * {@link yastack.api.LoadBalancerFactory}, {@link yastack.api.SteeringPolicyFactory}
 * and {@link yastack.api.NetworkFilterFactory} as {@link java.util.ServiceLoader}
 * services ({@code provides} in {@code module-info.java}, or
 * {@code META-INF/services} in a plain jar) and requires nothing of yastack but
 * this module.
 *
 * <p>Threading: a stream or connection lives on one worker thread from start to
 * end; every per-stream callback runs there and must not block. Asynchronous
 * work completes a {@link java.util.concurrent.CompletionStage} (from any
 * thread) and the kernel resumes the stream on its worker.
 */
package yastack.api;
