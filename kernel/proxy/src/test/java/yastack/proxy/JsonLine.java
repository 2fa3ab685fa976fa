package yastack.proxy;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;

/** One JSON object (an access-log line) read with protobuf's JSON parser. */
record JsonLine(Struct struct) {
    static JsonLine parse(String json) {
        Struct.Builder b = Struct.newBuilder();
        try {
            JsonFormat.parser().merge(json, b);
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError("not a JSON object: " + json, e);
        }
        return new JsonLine(b.build());
    }

    /** The string at {@code key}; null when absent or JSON null. */
    String getString(String key) {
        Value v = struct.getFieldsMap().get(key);
        return v == null || v.hasNullValue() ? null : v.getStringValue();
    }

    long getLong(String key) {
        return (long) struct.getFieldsOrThrow(key).getNumberValue();
    }

    int getInteger(String key) {
        return (int) getLong(key);
    }
}
