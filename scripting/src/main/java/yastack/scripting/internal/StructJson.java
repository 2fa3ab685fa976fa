package yastack.scripting.internal;

import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import java.util.Map;

/** Writes a {@code google.protobuf.Struct} (a plugin's {@code config:} block) as JSON text for {@code JSON.parse}. */
public final class StructJson {
    private StructJson() {}

    public static String toJson(Struct struct) {
        StringBuilder sb = new StringBuilder();
        writeStruct(struct, sb);
        return sb.toString();
    }

    private static void writeStruct(Struct s, StringBuilder sb) {
        sb.append('{');
        boolean first = true;
        for (Map.Entry<String, Value> e : s.getFieldsMap().entrySet()) {
            if (!first) sb.append(',');
            first = false;
            writeString(e.getKey(), sb);
            sb.append(':');
            writeValue(e.getValue(), sb);
        }
        sb.append('}');
    }

    private static void writeList(ListValue l, StringBuilder sb) {
        sb.append('[');
        for (int i = 0; i < l.getValuesCount(); i++) {
            if (i > 0) sb.append(',');
            writeValue(l.getValues(i), sb);
        }
        sb.append(']');
    }

    private static void writeValue(Value v, StringBuilder sb) {
        switch (v.getKindCase()) {
            case STRING_VALUE -> writeString(v.getStringValue(), sb);
            case NUMBER_VALUE -> {
                double d = v.getNumberValue();
                if (Double.isNaN(d) || Double.isInfinite(d)) sb.append("null");
                else if (d == Math.rint(d) && Math.abs(d) < 1e15) sb.append((long) d);
                else sb.append(d);
            }
            case BOOL_VALUE -> sb.append(v.getBoolValue());
            case STRUCT_VALUE -> writeStruct(v.getStructValue(), sb);
            case LIST_VALUE -> writeList(v.getListValue(), sb);
            default -> sb.append("null");
        }
    }

    private static void writeString(String s, StringBuilder sb) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        sb.append('"');
    }
}
