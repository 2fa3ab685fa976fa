package yastack.plugin.opentelemetry;

import java.net.URI;
import java.net.URISyntaxException;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import yastack.api.PluginConfigException;
import yastack.api.trace.SpanSink;
import yastack.api.trace.TracingProvider;

/**
 * {@code tracing: {provider: opentelemetry}}: spans exported as OTLP/HTTP protobuf to the
 * configured endpoint, by the OpenTelemetry SDK's exporter on the JDK's HTTP client. Loading
 * this class touches no SDK class; a sink starts the exporter.
 */
public final class OpenTelemetryProvider implements TracingProvider {
    @Override
    public String name() {
        return "opentelemetry";
    }

    @Override
    public String describe() {
        return "tracing: opentelemetry (OTLP/HTTP protobuf, SDK " + Versions.sdk() + ")";
    }

    @Override
    public SpanSink start(SpanSink.Settings settings) throws PluginConfigException {
        try {
            URI u = new URI(settings.endpoint());
            if (u.getHost() == null || !(u.getScheme().equals("http") || u.getScheme().equals("https"))) {
                throw new PluginConfigException(settings.fieldPath() + ".endpoint: must be an http:// or https:// URL, got '"
                        + settings.endpoint() + "'");
            }
        } catch (URISyntaxException e) {
            throw new PluginConfigException(settings.fieldPath() + ".endpoint: is not a URL: " + e.getMessage(), e);
        }
        return new OtlpSink(settings, InstrumentationScopeInfo.builder("yastack").setVersion(Versions.yastack()).build());
    }
}
