package yastack.xds.translate;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.MessageOrBuilder;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
import java.util.Set;

/**
 * The fields of an Envoy message the translation reads or may ignore; any other field that
 * is set makes the resource unsupported, so nothing is applied half-way.
 */
final class Fields {
    private Fields() {}

    /** Rejects {@code m} when a field outside {@code allowed} is set, naming it. */
    static void only(MessageOrBuilder m, String path, String... allowed) throws Rejection {
        Set<String> ok = Set.of(allowed);
        for (FieldDescriptor f : m.getAllFields().keySet()) {
            if (!ok.contains(f.getName())) throw new Rejection(child(path, f.getName()), "not supported");
        }
    }

    static String child(String path, String field) {
        return path.isEmpty() ? field : path + "." + field;
    }

    static String element(String path, String field, int i) {
        return child(path, field) + "[" + i + "]";
    }

    /** Envoy's fractional percent as a percentage (0..100); an absent one is 0, as Envoy reads it. */
    static double percent(FractionalPercent f, String path) throws Rejection {
        double scale = switch (f.getDenominator()) {
            case HUNDRED -> 100;
            case TEN_THOUSAND -> 10_000;
            case MILLION -> 1_000_000;
            case UNRECOGNIZED -> throw new Rejection(child(path, "denominator"), "unknown");
        };
        return Math.min(100, f.getNumerator() * 100 / scale);
    }
}
