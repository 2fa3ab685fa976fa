package yastack.plugin.opentelemetry;

import io.opentelemetry.sdk.trace.data.SpanData;

/** Versions reported with spans (instrumentation scope) and by {@code yastack version}. */
final class Versions {
    private Versions() {}

    static String yastack() {
        var d = Versions.class.getModule().getDescriptor();
        return d == null ? "dev" : d.rawVersion().orElse("dev");
    }

    static String sdk() {
        String v = SpanData.class.getPackage().getImplementationVersion();
        return v == null ? "?" : v;
    }
}
