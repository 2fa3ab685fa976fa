package yastack.config;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Duration;
import java.math.BigInteger;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * Converts YAML scalars into protobuf field values: strings, bytes, booleans, numbers checked against the
 * field type's range, enum names in any case, durations. Like {@link YamlProtoReader}, it records each
 * problem and goes on rather than stopping at the first.
 */
final class YamlScalarReader {
    private final List<ConfigError> errors;

    YamlScalarReader(List<ConfigError> errors) {
        this.errors = errors;
    }

    /** Converts one value for a non-message field; returns null (after recording an error) when it cannot. */
    Object convert(FieldDescriptor f, Node node, String path) {
        switch (f.getJavaType()) {
            case ENUM -> {
                return enumValue(f, node, path);
            }
            case STRING -> {
                ScalarNode s = scalar(node, path, "a string");
                return s == null ? null : s.getValue();
            }
            case BYTE_STRING -> {
                ScalarNode s = scalar(node, path, "a string");
                return s == null ? null : ByteString.copyFromUtf8(s.getValue());
            }
            case BOOLEAN -> {
                ScalarNode s = scalar(node, path, "true or false");
                if (s == null) return null;
                if (!s.getTag().equals(Tag.BOOL)) {
                    error(path, "expected true or false, got " + YamlProtoReader.describe(node), node);
                    return null;
                }
                return Boolean.parseBoolean(s.getValue().toLowerCase(Locale.ROOT));
            }
            case INT, LONG -> {
                return integer(f, node, path);
            }
            case FLOAT, DOUBLE -> {
                ScalarNode s = scalar(node, path, "a number");
                if (s == null) return null;
                if (!s.getTag().equals(Tag.INT) && !s.getTag().equals(Tag.FLOAT)) {
                    error(path, "expected a number, got " + YamlProtoReader.describe(node), node);
                    return null;
                }
                double d = yamlDouble(s.getValue());
                return f.getJavaType() == FieldDescriptor.JavaType.FLOAT ? (Object) (float) d : (Object) d;
            }
        }
        throw new IllegalStateException("unhandled field type " + f.getJavaType());
    }

    private Object enumValue(FieldDescriptor f, Node node, String path) {
        ScalarNode s = scalar(node, path, "one of " + enumNames(f));
        if (s == null) return null;
        String text = s.getValue().strip();
        for (EnumValueDescriptor v : f.getEnumType().getValues()) {
            if (v.getName().equalsIgnoreCase(text)) return v;
        }
        error(path, "unknown value '" + text + "'; expected one of " + enumNames(f), node);
        return null;
    }

    private static String enumNames(FieldDescriptor f) {
        return f.getEnumType().getValues().stream()
                .map(v -> v.getName().toLowerCase(Locale.ROOT))
                .collect(Collectors.joining(", "));
    }

    private Object integer(FieldDescriptor f, Node node, String path) {
        boolean unsigned = switch (f.getType()) {
            case UINT32, UINT64, FIXED32, FIXED64 -> true;
            default -> false;
        };
        boolean wide = f.getJavaType() == FieldDescriptor.JavaType.LONG;
        BigInteger min = unsigned ? BigInteger.ZERO
                : BigInteger.valueOf(wide ? Long.MIN_VALUE : Integer.MIN_VALUE);
        BigInteger max = unsigned
                ? (wide ? BigInteger.ONE.shiftLeft(64) : BigInteger.ONE.shiftLeft(32)).subtract(BigInteger.ONE)
                : BigInteger.valueOf(wide ? Long.MAX_VALUE : Integer.MAX_VALUE);
        ScalarNode s = scalar(node, path, "an integer");
        if (s == null) return null;
        BigInteger v = s.getTag().equals(Tag.INT) ? yamlInteger(s.getValue()) : null;
        if (v == null) {
            error(path, "expected an integer, got " + YamlProtoReader.describe(node), node);
            return null;
        }
        if (v.compareTo(min) < 0 || v.compareTo(max) > 0) {
            error(path, "must be an integer in " + min + ".." + max + ", got " + v, node);
            return null;
        }
        // Unsigned protobuf values travel in Java's signed types; the bits are what count.
        return wide ? (Object) v.longValue() : (Object) v.intValue();
    }

    Duration duration(Node node, String path) {
        ScalarNode s = scalar(node, path, "a duration such as 5s");
        if (s == null) return null;
        try {
            return DurationText.parse(s.getValue());
        } catch (IllegalArgumentException e) {
            error(path, e.getMessage(), node);
            return null;
        }
    }

    private ScalarNode scalar(Node node, String path, String expected) {
        if (node instanceof ScalarNode s && !s.getTag().equals(Tag.NULL)) return s;
        error(path, "expected " + expected + ", got " + YamlProtoReader.describe(node), node);
        return null;
    }

    /** Integers as the YAML 1.2 core schema writes them: decimal, 0x hex, 0o octal. */
    static BigInteger yamlInteger(String text) {
        String t = text.replace("_", "");
        boolean negative = t.startsWith("-");
        if (negative || t.startsWith("+")) t = t.substring(1);
        try {
            BigInteger v;
            if (t.startsWith("0x")) v = new BigInteger(t.substring(2), 16);
            else if (t.startsWith("0o")) v = new BigInteger(t.substring(2), 8);
            else v = new BigInteger(t);
            return negative ? v.negate() : v;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    static double yamlDouble(String text) {
        String t = text.toLowerCase(Locale.ROOT);
        return switch (t) {
            case ".inf", "+.inf" -> Double.POSITIVE_INFINITY;
            case "-.inf" -> Double.NEGATIVE_INFINITY;
            case ".nan" -> Double.NaN;
            default -> {
                BigInteger i = yamlInteger(t);
                yield i != null ? i.doubleValue() : Double.parseDouble(t);
            }
        };
    }

    private void error(String path, String message, Node node) {
        errors.add(new ConfigError(path, message, YamlProtoReader.line(node)));
    }
}
