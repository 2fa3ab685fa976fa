/**
 * OpenTelemetry tracing for yastack: the proxy's finished spans exported as OTLP over
 * HTTP/protobuf, with the SDK's exporter on the JDK's HTTP client. Sees yastack.api only;
 * the proxy finds it as a {@code TracingProvider} when a listener has {@code http.tracing}.
 */
module yastack.plugin.opentelemetry {
    requires yastack.api;
    requires io.opentelemetry.api;
    requires io.opentelemetry.context;
    requires io.opentelemetry.sdk.common;
    requires io.opentelemetry.sdk.trace;
    requires io.opentelemetry.exporter.otlp;
    // to quiet the exporter's own per-failure log (we count failures and log them rate-limited)
    requires java.logging;

    provides yastack.api.trace.TracingProvider with yastack.plugin.opentelemetry.OpenTelemetryProvider;
}
