package yastack.plugin.opentelemetry;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.resources.Resource;

/** Versions reported with spans (instrumentation scope) and by {@code yastack version}. */
final class Versions {
    private Versions() {}

    static String yastack() {
        var d = Versions.class.getModule().getDescriptor();
        return d == null ? "dev" : d.rawVersion().orElse("dev");
    }

    /** The SDK's own word for its version (its default resource's telemetry.sdk.version). */
    static String sdk() {
        String v = Resource.getDefault().getAttribute(AttributeKey.stringKey("telemetry.sdk.version"));
        return v == null ? "?" : v;
    }
}
