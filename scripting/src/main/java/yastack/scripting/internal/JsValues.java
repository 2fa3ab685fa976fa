package yastack.scripting.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.graalvm.polyglot.Value;

/** Small conversions between script values and Java. */
final class JsValues {
    private JsValues() {}

    /** A string, number or boolean as text (what a header value may be). */
    static String text(Value v) {
        if (v.isString()) return v.asString();
        if (v.isNumber() && v.fitsInLong()) return Long.toString(v.asLong());
        return v.toString();
    }

    /** The member {@code key} of {@code obj}, or {@code null} if absent, null or undefined. */
    static Value member(Value obj, String key) {
        Value v = obj.getMember(key);
        return v == null || v.isNull() ? null : v;
    }

    static String string(Value obj, String key, String dflt) {
        Value v = member(obj, key);
        if (v == null) return dflt;
        if (!v.isString()) throw new IllegalArgumentException("'" + key + "' must be a string, got " + v);
        return v.asString();
    }

    static Integer integer(Value obj, String key) {
        Value v = member(obj, key);
        if (v == null) return null;
        if (!v.isNumber() || !v.fitsInInt()) throw new IllegalArgumentException("'" + key + "' must be an integer, got " + v);
        return v.asInt();
    }

    /** An object of name to string (or null to remove) as an ordered map. */
    static Map<String, String> stringMap(Value obj, String key) {
        Value v = member(obj, key);
        if (v == null) return Map.of();
        if (!v.hasMembers()) throw new IllegalArgumentException("'" + key + "' must be an object of name: value");
        Map<String, String> out = new LinkedHashMap<>();
        for (String k : v.getMemberKeys()) {
            Value x = v.getMember(k);
            out.put(k, x == null || x.isNull() ? null : text(x));
        }
        return out;
    }

    static List<String> strings(Value obj, String key) {
        Value v = member(obj, key);
        if (v == null) return List.of();
        if (!v.hasArrayElements()) throw new IllegalArgumentException("'" + key + "' must be an array of strings");
        List<String> out = new ArrayList<>();
        for (long i = 0; i < v.getArraySize(); i++) out.add(text(v.getArrayElement(i)));
        return out;
    }
}
