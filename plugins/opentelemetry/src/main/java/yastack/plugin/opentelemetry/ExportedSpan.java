package yastack.plugin.opentelemetry;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.TraceStateBuilder;
import io.opentelemetry.sdk.common.InstrumentationLibraryInfo;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.data.StatusData;
import java.util.HexFormat;
import java.util.List;
import yastack.api.trace.FinishedSpan;

/**
 * A span the proxy finished, as the OpenTelemetry exporter reads it. Built on the export
 * thread, so the hex ids, attribute maps and trace state cost the workers nothing.
 */
final class ExportedSpan implements SpanData {
    private static final HexFormat HEX = HexFormat.of();

    private final FinishedSpan span;
    private final SpanContext context;
    private final SpanContext parent;
    private final Attributes attributes;
    private final Resource resource;
    private final InstrumentationScopeInfo scope;

    ExportedSpan(FinishedSpan span, Resource resource, InstrumentationScopeInfo scope) {
        this.span = span;
        this.resource = resource;
        this.scope = scope;
        String traceId = HEX.toHexDigits(span.traceIdHigh()) + HEX.toHexDigits(span.traceIdLow());
        TraceState state = traceState(span.traceState());
        // Exported spans are sampled ones, whatever the request's flag said (an error may export an unsampled one).
        this.context = SpanContext.create(traceId, HEX.toHexDigits(span.spanId()), TraceFlags.getSampled(), state);
        if (span.parentSpanId() == 0) {
            this.parent = SpanContext.getInvalid();
        } else if (span.remoteParent()) {
            this.parent = SpanContext.createFromRemoteParent(traceId, HEX.toHexDigits(span.parentSpanId()), TraceFlags.getSampled(), state);
        } else {
            this.parent = SpanContext.create(traceId, HEX.toHexDigits(span.parentSpanId()), TraceFlags.getSampled(), state);
        }
        AttributesBuilder a = Attributes.builder();
        for (FinishedSpan.Attribute attr : span.attributes()) {
            switch (attr.value()) {
                case String s -> a.put(attr.key(), s);
                case Long l -> a.put(attr.key(), l);
                case Double d -> a.put(attr.key(), d);
                case Boolean b -> a.put(attr.key(), b);
                default -> a.put(attr.key(), attr.value().toString());
            }
        }
        this.attributes = a.build();
    }

    /** W3C tracestate text as OpenTelemetry's: its builder puts each entry first, so entries go in from the last. */
    static TraceState traceState(String text) {
        if (text.isEmpty()) return TraceState.getDefault();
        String[] members = text.split(",");
        TraceStateBuilder b = TraceState.builder();
        for (int i = members.length - 1; i >= 0; i--) {
            String m = members[i].strip();
            int eq = m.indexOf('=');
            if (eq > 0) b.put(m.substring(0, eq), m.substring(eq + 1));
        }
        return b.build();
    }

    @Override public String getName() { return span.name(); }
    @Override public SpanKind getKind() { return span.kind() == FinishedSpan.Kind.SERVER ? SpanKind.SERVER : SpanKind.CLIENT; }
    @Override public SpanContext getSpanContext() { return context; }
    @Override public SpanContext getParentSpanContext() { return parent; }
    @Override public StatusData getStatus() { return span.error() ? StatusData.error() : StatusData.unset(); }
    @Override public long getStartEpochNanos() { return span.startEpochNanos(); }
    @Override public Attributes getAttributes() { return attributes; }
    @Override public List<EventData> getEvents() { return List.of(); }
    @Override public List<LinkData> getLinks() { return List.of(); }
    @Override public long getEndEpochNanos() { return span.endEpochNanos(); }
    @Override public boolean hasEnded() { return true; }
    @Override public int getTotalRecordedEvents() { return 0; }
    @Override public int getTotalRecordedLinks() { return 0; }
    @Override public int getTotalAttributeCount() { return attributes.size(); }
    @Override public InstrumentationScopeInfo getInstrumentationScopeInfo() { return scope; }
    @Override public Resource getResource() { return resource; }

    @Override
    @Deprecated
    @SuppressWarnings("deprecation")
    public InstrumentationLibraryInfo getInstrumentationLibraryInfo() {
        return InstrumentationLibraryInfo.create(scope.getName(), scope.getVersion());
    }
}
