package yastack.xds.translate;

import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;

/** Pieces of a plugin's config ({@code google.protobuf.Struct}), as the typed Envoy filters become them. */
final class PluginValues {
    private PluginValues() {}

    static Value text(String s) {
        return Value.newBuilder().setStringValue(s).build();
    }

    static Value flag(boolean b) {
        return Value.newBuilder().setBoolValue(b).build();
    }

    static Value number(double n) {
        return Value.newBuilder().setNumberValue(n).build();
    }

    static Value struct(Struct s) {
        return Value.newBuilder().setStructValue(s).build();
    }

    static Value list(Iterable<Value> items) {
        return Value.newBuilder().setListValue(ListValue.newBuilder().addAllValues(items)).build();
    }

    static Value texts(Iterable<String> items) {
        ListValue.Builder l = ListValue.newBuilder();
        for (String s : items) l.addValues(text(s));
        return Value.newBuilder().setListValue(l).build();
    }

    /** {@code {a: x, b: y}}: a pair of named strings, as header and claim names go. */
    static Value pair(String a, String x, String b, String y) {
        return struct(Struct.newBuilder().putFields(a, text(x)).putFields(b, text(y)).build());
    }
}
