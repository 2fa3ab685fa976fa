package yastack.xds.translate;

import static yastack.xds.translate.Fields.child;
import static yastack.xds.translate.Fields.only;
import static yastack.xds.translate.Fields.percent;
import static yastack.xds.translate.PluginValues.flag;
import static yastack.xds.translate.PluginValues.number;
import static yastack.xds.translate.PluginValues.struct;
import static yastack.xds.translate.PluginValues.text;

import com.google.protobuf.Any;
import com.google.protobuf.Struct;
import com.google.protobuf.util.Durations;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;

/**
 * Envoy's {@code envoy.filters.http.fault} as the config of our {@code fault} plugin: a fixed or
 * header-asked delay, an HTTP status or header-asked abort, each with its percentage (absent:
 * 0%, as Envoy reads it), one header that must be present, the limit on active faults. Runtime
 * keys, gRPC statuses, rate limits and node or cluster conditions are refused.
 */
final class FaultTranslator {
    static final String TYPE = "type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault";

    private FaultTranslator() {}

    static Struct translate(Any any, String path) throws Rejection {
        HTTPFault f = ListenerTranslator.unpack(any, HTTPFault.class, path);
        only(f, path, "delay", "abort", "headers", "max_active_faults");
        Struct.Builder out = Struct.newBuilder();
        if (f.hasDelay()) {
            var d = f.getDelay();
            String dp = child(path, "delay");
            only(d, dp, "fixed_delay", "header_delay", "percentage");
            Struct.Builder delay = Struct.newBuilder().putFields("percentage", number(percent(d.getPercentage(), child(dp, "percentage"))));
            if (d.hasFixedDelay()) delay.putFields("fixed_delay", text(Durations.toMillis(d.getFixedDelay()) + "ms"));
            else delay.putFields("header_delay", flag(true));
            out.putFields("delay", struct(delay.build()));
        }
        if (f.hasAbort()) {
            var a = f.getAbort();
            String ap = child(path, "abort");
            only(a, ap, "http_status", "header_abort", "percentage");
            Struct.Builder abort = Struct.newBuilder().putFields("percentage", number(percent(a.getPercentage(), child(ap, "percentage"))));
            if (a.hasHeaderAbort()) abort.putFields("header_abort", flag(true));
            else abort.putFields("http_status", number(a.getHttpStatus()));
            out.putFields("abort", struct(abort.build()));
        }
        if (f.getHeadersCount() > 1) throw new Rejection(child(path, "headers"), "one header (present_match) is supported, got " + f.getHeadersCount());
        if (f.getHeadersCount() == 1) {
            var h = f.getHeaders(0);
            String hp = child(path, "headers[0]");
            only(h, hp, "name", "present_match");
            if (!h.getPresentMatch()) throw new Rejection(child(hp, "present_match"), "only present_match: true is supported");
            out.putFields("header", text(h.getName()));
        }
        if (f.hasMaxActiveFaults()) out.putFields("max_active_faults", number(f.getMaxActiveFaults().getValue()));
        return out.build();
    }
}
