package yastack.api;

import com.google.protobuf.ListValue;
import com.google.protobuf.Message;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Typed, read-only access to a plugin's {@code config:} block (a
 * {@code google.protobuf.Struct}). Accessors with a default return it when the
 * key is absent; {@code require*} accessors fail when it is absent. A value of
 * the wrong type always fails, with a {@link PluginConfigException} that names
 * the field by its path, e.g. {@code config.limits[1].max_tokens}.
 */
public final class PluginConfig {
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|ms|s|m|h|d)");

    private final Struct struct;
    private final String path;
    /** A config given as a typed message instead of key/value pairs, or null. */
    private final Message message;

    private PluginConfig(Struct struct, String path, Message message) {
        this.struct = struct;
        this.path = path;
        this.message = message;
    }

    /** Wraps {@code struct}; errors name fields as {@code config.<key>}. */
    public static PluginConfig of(Struct struct) {
        return of(struct, "config");
    }

    /** Wraps {@code struct}; errors name fields as {@code <path>.<key>}. */
    public static PluginConfig of(Struct struct, String path) {
        return new PluginConfig(struct == null ? Struct.getDefaultInstance() : struct, path, null);
    }

    /**
     * A config that is a typed protobuf message, e.g. a listener's {@code route_config} handed
     * to the built-in route table, or an xDS {@code typed_config}; errors name fields below {@code path}.
     */
    public static PluginConfig of(Message message, String path) {
        return new PluginConfig(Struct.getDefaultInstance(), path, Objects.requireNonNull(message, "message"));
    }

    /** The typed message this config is, if it is one of {@code type}. */
    public <T extends Message> Optional<T> message(Class<T> type) {
        return type.isInstance(message) ? Optional.of(type.cast(message)) : Optional.empty();
    }

    /** The typed message this config must be. */
    public <T extends Message> T requireMessage(Class<T> type) throws PluginConfigException {
        if (!type.isInstance(message)) {
            throw new PluginConfigException(path + ": expected a " + type.getSimpleName() + ", got "
                    + (message == null ? "key/value config" : message.getClass().getSimpleName()));
        }
        return type.cast(message);
    }

    /** An empty config. */
    public static PluginConfig empty() {
        return of(Struct.getDefaultInstance());
    }

    /** The underlying protobuf message. */
    public Struct raw() {
        return struct;
    }

    /** The path of this block in error messages. */
    public String path() {
        return path;
    }

    /** The path of {@code key} in error messages. */
    public String path(String key) {
        return path + "." + key;
    }

    /** The keys present, in the order written. */
    public Set<String> keys() {
        return Collections.unmodifiableSet(new LinkedHashSet<>(struct.getFieldsMap().keySet()));
    }

    /** Whether {@code key} is present (and not {@code null}). */
    public boolean has(String key) {
        Value v = struct.getFieldsMap().get(key);
        return v != null && v.getKindCase() != Value.KindCase.NULL_VALUE;
    }

    /** Fails if any key other than {@code allowed} is present (catches typos). */
    public PluginConfig requireOnly(String... allowed) throws PluginConfigException {
        Set<String> ok = new TreeSet<>(Arrays.asList(allowed));
        for (String k : struct.getFieldsMap().keySet()) {
            if (!ok.contains(k)) throw new PluginConfigException(path(k) + ": unknown field; expected one of " + ok);
        }
        return this;
    }

    public String string(String key, String defaultValue) throws PluginConfigException {
        return has(key) ? asString(key, value(key)) : defaultValue;
    }

    public String requireString(String key) throws PluginConfigException {
        return asString(key, required(key));
    }

    public long integer(String key, long defaultValue) throws PluginConfigException {
        return has(key) ? asLong(key, value(key)) : defaultValue;
    }

    public long requireInteger(String key) throws PluginConfigException {
        return asLong(key, required(key));
    }

    public double number(String key, double defaultValue) throws PluginConfigException {
        return has(key) ? asDouble(key, value(key)) : defaultValue;
    }

    public boolean bool(String key, boolean defaultValue) throws PluginConfigException {
        if (!has(key)) return defaultValue;
        Value v = value(key);
        if (v.getKindCase() == Value.KindCase.BOOL_VALUE) return v.getBoolValue();
        if (v.getKindCase() == Value.KindCase.STRING_VALUE) {
            switch (v.getStringValue()) {
                case "true": return true;
                case "false": return false;
                default: break;
            }
        }
        throw wrongType(key, "a boolean", v);
    }

    /** A duration written {@code "60s"}, {@code "250ms"}, {@code "1m"}, {@code "1.5h"}, or a number of seconds. */
    public Duration duration(String key, Duration defaultValue) throws PluginConfigException {
        return has(key) ? asDuration(key, value(key)) : defaultValue;
    }

    public Duration requireDuration(String key) throws PluginConfigException {
        return asDuration(key, required(key));
    }

    /** A nested map; an empty config when absent. */
    public PluginConfig object(String key) throws PluginConfigException {
        if (!has(key)) return new PluginConfig(Struct.getDefaultInstance(), path(key), null);
        Value v = value(key);
        if (v.getKindCase() != Value.KindCase.STRUCT_VALUE) throw wrongType(key, "a map", v);
        return new PluginConfig(v.getStructValue(), path(key), null);
    }

    /** A list of nested maps; empty when absent. */
    public List<PluginConfig> objects(String key) throws PluginConfigException {
        List<PluginConfig> out = new ArrayList<>();
        List<Value> items = list(key);
        for (int i = 0; i < items.size(); i++) {
            Value v = items.get(i);
            String p = path(key) + "[" + i + "]";
            if (v.getKindCase() != Value.KindCase.STRUCT_VALUE) {
                throw new PluginConfigException(p + ": expected a map, got " + describe(v));
            }
            out.add(new PluginConfig(v.getStructValue(), p, null));
        }
        return out;
    }

    /** A list of strings (a single string counts as a list of one); empty when absent. */
    public List<String> strings(String key) throws PluginConfigException {
        if (has(key) && value(key).getKindCase() == Value.KindCase.STRING_VALUE) return List.of(value(key).getStringValue());
        List<String> out = new ArrayList<>();
        List<Value> items = list(key);
        for (int i = 0; i < items.size(); i++) {
            Value v = items.get(i);
            if (v.getKindCase() != Value.KindCase.STRING_VALUE) {
                throw new PluginConfigException(path(key) + "[" + i + "]: expected a string, got " + describe(v));
            }
            out.add(v.getStringValue());
        }
        return out;
    }

    /** A map of string to string (numbers and booleans are turned into text); empty when absent. */
    public Map<String, String> stringMap(String key) throws PluginConfigException {
        PluginConfig obj = object(key);
        Map<String, String> out = new LinkedHashMap<>();
        for (String k : obj.keys()) out.put(k, obj.requireString(k));
        return out;
    }

    /** Parses a duration as written in yastack config ({@code "60s"}, {@code "250ms"}, {@code "1m"}, ...). */
    public static Duration parseDuration(String text) {
        Matcher m = DURATION.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("\"" + text + "\" is not a duration; write e.g. 250ms, 60s, 5m, 1h");
        }
        double amount = Double.parseDouble(m.group(1));
        double nanosPerUnit = switch (m.group(2)) {
            case "ns" -> 1;
            case "us" -> 1e3;
            case "ms" -> 1e6;
            case "s" -> 1e9;
            case "m" -> 60e9;
            case "h" -> 3600e9;
            default -> 86400e9;
        };
        return Duration.ofNanos(Math.round(amount * nanosPerUnit));
    }

    private Value value(String key) {
        return struct.getFieldsMap().get(key);
    }

    private Value required(String key) throws PluginConfigException {
        if (!has(key)) throw new PluginConfigException(path(key) + ": required field is missing");
        return value(key);
    }

    private List<Value> list(String key) throws PluginConfigException {
        if (!has(key)) return List.of();
        Value v = value(key);
        if (v.getKindCase() != Value.KindCase.LIST_VALUE) throw wrongType(key, "a list", v);
        ListValue l = v.getListValue();
        return l.getValuesList();
    }

    private String asString(String key, Value v) throws PluginConfigException {
        return switch (v.getKindCase()) {
            case STRING_VALUE -> v.getStringValue();
            case NUMBER_VALUE -> {
                double d = v.getNumberValue();
                yield d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
            }
            case BOOL_VALUE -> Boolean.toString(v.getBoolValue());
            default -> throw wrongType(key, "a string", v);
        };
    }

    private long asLong(String key, Value v) throws PluginConfigException {
        double d;
        if (v.getKindCase() == Value.KindCase.NUMBER_VALUE) {
            d = v.getNumberValue();
        } else if (v.getKindCase() == Value.KindCase.STRING_VALUE) {
            try {
                return Long.parseLong(v.getStringValue().trim());
            } catch (NumberFormatException e) {
                throw wrongType(key, "an integer", v);
            }
        } else {
            throw wrongType(key, "an integer", v);
        }
        if (d != Math.rint(d) || Math.abs(d) > 9.007199254740992e15) throw wrongType(key, "an integer", v);
        return (long) d;
    }

    private double asDouble(String key, Value v) throws PluginConfigException {
        if (v.getKindCase() == Value.KindCase.NUMBER_VALUE) return v.getNumberValue();
        if (v.getKindCase() == Value.KindCase.STRING_VALUE) {
            try {
                return Double.parseDouble(v.getStringValue().trim());
            } catch (NumberFormatException e) {
                throw wrongType(key, "a number", v);
            }
        }
        throw wrongType(key, "a number", v);
    }

    private Duration asDuration(String key, Value v) throws PluginConfigException {
        if (v.getKindCase() == Value.KindCase.NUMBER_VALUE) {
            double s = v.getNumberValue();
            if (s < 0) throw new PluginConfigException(path(key) + ": duration must not be negative");
            return Duration.ofNanos(Math.round(s * 1e9));
        }
        if (v.getKindCase() != Value.KindCase.STRING_VALUE) throw wrongType(key, "a duration like \"60s\"", v);
        try {
            return parseDuration(v.getStringValue());
        } catch (IllegalArgumentException e) {
            throw new PluginConfigException(path(key) + ": " + e.getMessage());
        }
    }

    private PluginConfigException wrongType(String key, String expected, Value v) {
        return new PluginConfigException(path(key) + ": expected " + expected + ", got " + describe(v));
    }

    private static String describe(Value v) {
        return switch (v.getKindCase()) {
            case STRING_VALUE -> "the string \"" + v.getStringValue() + "\"";
            case NUMBER_VALUE -> "the number " + v.getNumberValue();
            case BOOL_VALUE -> "the boolean " + v.getBoolValue();
            case STRUCT_VALUE -> "a map";
            case LIST_VALUE -> "a list";
            default -> "null";
        };
    }

    @Override
    public String toString() {
        return path + "=" + struct.getFieldsMap().keySet();
    }
}
