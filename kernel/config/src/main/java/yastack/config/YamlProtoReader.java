package yastack.config;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Duration;
import com.google.protobuf.ListValue;
import com.google.protobuf.Message;
import com.google.protobuf.NullValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;
import yastack.api.config.Bootstrap;
import yastack.api.config.HttpConnectionManager;
import yastack.api.config.LbPolicy;
import yastack.api.config.SteeringRef;

/**
 * Fills a protobuf message from a composed YAML node tree, driven only by the message
 * descriptors: field names are the YAML keys, so a new schema field needs no code here.
 * Records the line of every field it sets, and collects every problem instead of
 * stopping at the first. Scalar values go through {@link YamlScalarReader}.
 */
final class YamlProtoReader {
    /**
     * Messages that may also be written as a bare scalar, which then sets one field:
     * {@code lb_policy: maglev} and {@code steering: toeplitz}.
     */
    private static final Map<String, String> SCALAR_SHORTHANDS = Map.of(
            LbPolicy.getDescriptor().getFullName(), "kind",
            SteeringRef.getDescriptor().getFullName(), "plugin");

    /**
     * Lists that may also be written as their one item: {@code access_log: {path: stdout}}
     * (Envoy's access_log is a list; a single log is the common case).
     */
    private static final Set<String> SINGLE_ITEM_LISTS = Set.of(
            Bootstrap.getDescriptor().findFieldByName("access_log").getFullName(),
            HttpConnectionManager.getDescriptor().findFieldByName("access_log").getFullName());

    /** Deeper than any real config; stops recursive aliases from looping forever. */
    private static final int MAX_DEPTH = 64;

    private final List<ConfigError> errors = new ArrayList<>();
    private final YamlScalarReader scalars = new YamlScalarReader(errors);
    private final SourceLines lines = new SourceLines();

    List<ConfigError> errors() {
        return errors;
    }

    SourceLines lines() {
        return lines;
    }

    /** Reads {@code root} into {@code builder}; problems land in {@link #errors()}. */
    void readRoot(Node root, Message.Builder builder) {
        lines.record("", line(root));
        readMessage(root, builder, "", 0);
    }

    private void readMessage(Node node, Message.Builder b, String path, int depth) {
        Descriptor type = b.getDescriptorForType();
        if (depth > MAX_DEPTH) {
            error(path, "nested too deeply (a recursive alias?)", node);
            return;
        }
        String shorthand = SCALAR_SHORTHANDS.get(type.getFullName());
        if (shorthand != null && node instanceof ScalarNode) {
            FieldDescriptor f = type.findFieldByName(shorthand);
            lines.record(SourceLines.child(path, shorthand), line(node));
            Object value = convert(b, f, node, path, depth);
            if (value != null) b.setField(f, value);
            return;
        }
        if (!(node instanceof MappingNode mapping)) {
            String alt = shorthand == null ? "" : " or a bare " + type.findFieldByName(shorthand).getName();
            error(path, "expected a mapping" + alt + ", got " + describe(node), node);
            return;
        }
        Set<String> seen = new HashSet<>();
        for (NodeTuple t : withMerges(mapping, path)) {
            if (!(t.getKeyNode() instanceof ScalarNode keyNode)) {
                error(path, "field names must be plain strings, got " + describe(t.getKeyNode()), t.getKeyNode());
                continue;
            }
            String name = keyNode.getValue();
            String fieldPath = SourceLines.child(path, name);
            if (!seen.add(name)) {
                error(fieldPath, "field written twice", keyNode);
                continue;
            }
            FieldDescriptor f = type.findFieldByName(name);
            if (f == null) {
                error(fieldPath, unknownField(name, type), keyNode);
                continue;
            }
            lines.record(fieldPath, line(keyNode));
            readField(b, f, t.getValueNode(), fieldPath, depth);
        }
    }

    /** Applies YAML merge keys ({@code <<: *base}): explicit keys win over merged ones. */
    private List<NodeTuple> withMerges(MappingNode mapping, String path) {
        List<NodeTuple> own = new ArrayList<>();
        List<NodeTuple> merged = new ArrayList<>();
        for (NodeTuple t : mapping.getValue()) {
            if (t.getKeyNode() instanceof ScalarNode k && k.isPlain() && k.getValue().equals("<<")) {
                Node v = t.getValueNode();
                List<Node> sources = v instanceof SequenceNode seq ? seq.getValue() : List.of(v);
                for (Node src : sources) {
                    if (src instanceof MappingNode m) merged.addAll(m.getValue());
                    else error(path, "a merge key (<<) needs a mapping or a list of mappings", src);
                }
            } else {
                own.add(t);
            }
        }
        if (merged.isEmpty()) return own;
        Set<String> explicit = own.stream().map(NodeTuple::getKeyNode).filter(ScalarNode.class::isInstance)
                .map(k -> ((ScalarNode) k).getValue()).collect(Collectors.toSet());
        Map<String, NodeTuple> fromMerge = new LinkedHashMap<>();
        for (NodeTuple t : merged) {
            if (t.getKeyNode() instanceof ScalarNode k && !explicit.contains(k.getValue())) {
                fromMerge.putIfAbsent(k.getValue(), t);
            }
        }
        List<NodeTuple> all = new ArrayList<>(own);
        all.addAll(fromMerge.values());
        return all;
    }

    private void readField(Message.Builder b, FieldDescriptor f, Node node, String path, int depth) {
        if (isNull(node)) {
            // `http:` with nothing after it still says "this listener is HTTP".
            if (!f.isRepeated() && f.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
                b.setField(f, b.newBuilderForField(f).build());
            }
            return;
        }
        if (f.isMapField()) {
            readMapField(b, f, node, path, depth);
        } else if (f.isRepeated()) {
            List<Node> items;
            if (node instanceof SequenceNode seq) {
                items = seq.getValue();
            } else if (node instanceof MappingNode && SINGLE_ITEM_LISTS.contains(f.getFullName())) {
                items = List.of(node);
            } else {
                error(path, "expected a list, got " + describe(node), node);
                return;
            }
            for (int i = 0; i < items.size(); i++) {
                String itemPath = SourceLines.element(path, i);
                lines.record(itemPath, line(items.get(i)));
                if (isNull(items.get(i))) {
                    error(itemPath, "list items must not be empty", items.get(i));
                    continue;
                }
                Object value = convert(b, f, items.get(i), itemPath, depth);
                if (value != null) b.addRepeatedField(f, value);
            }
        } else {
            Object value = convert(b, f, node, path, depth);
            if (value != null) b.setField(f, value);
        }
    }

    private void readMapField(Message.Builder b, FieldDescriptor f, Node node, String path, int depth) {
        if (!(node instanceof MappingNode mapping)) {
            error(path, "expected a mapping, got " + describe(node), node);
            return;
        }
        Descriptor entryType = f.getMessageType();
        FieldDescriptor keyField = entryType.findFieldByName("key");
        FieldDescriptor valueField = entryType.findFieldByName("value");
        Set<String> seen = new HashSet<>();
        for (NodeTuple t : mapping.getValue()) {
            String keyText = t.getKeyNode() instanceof ScalarNode k ? k.getValue() : "?";
            String entryPath = SourceLines.child(path, keyText);
            if (!seen.add(keyText)) {
                error(entryPath, "key written twice", t.getKeyNode());
                continue;
            }
            lines.record(entryPath, line(t.getKeyNode()));
            Message.Builder entry = b.newBuilderForField(f);
            Object key = convert(entry, keyField, t.getKeyNode(), entryPath, depth);
            Object value = isNull(t.getValueNode()) ? null : convert(entry, valueField, t.getValueNode(), entryPath, depth);
            if (key == null || (value == null && !isNull(t.getValueNode()))) continue;
            entry.setField(keyField, key);
            if (value != null) entry.setField(valueField, value);
            b.addRepeatedField(f, entry.build());
        }
    }

    /** Converts one value for {@code f}; returns null (after recording an error) when it cannot. */
    private Object convert(Message.Builder parent, FieldDescriptor f, Node node, String path, int depth) {
        if (f.getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
            return scalars.convert(f, node, path);
        }
        Descriptor type = f.getMessageType();
        if (type.equals(Duration.getDescriptor())) return scalars.duration(node, path);
        if (type.equals(Struct.getDescriptor())) return struct(node, path, depth);
        if (type.equals(Value.getDescriptor())) return value(node, path, depth);
        if (type.equals(ListValue.getDescriptor())) return listValue(node, path, depth);
        // The parent's builder yields the generated class, which generated setters require.
        Message.Builder sub = parent.newBuilderForField(f);
        readMessage(node, sub, path, depth + 1);
        return sub.build();
    }

    private Struct struct(Node node, String path, int depth) {
        if (!(node instanceof MappingNode mapping)) {
            error(path, "expected a mapping, got " + describe(node), node);
            return null;
        }
        Struct.Builder b = Struct.newBuilder();
        for (NodeTuple t : withMerges(mapping, path)) {
            if (!(t.getKeyNode() instanceof ScalarNode k)) {
                error(path, "keys must be plain strings, got " + describe(t.getKeyNode()), t.getKeyNode());
                continue;
            }
            String keyPath = SourceLines.child(path, k.getValue());
            if (b.containsFields(k.getValue())) {
                error(keyPath, "key written twice", k);
                continue;
            }
            Value v = value(t.getValueNode(), keyPath, depth + 1);
            if (v != null) b.putFields(k.getValue(), v);
        }
        return b.build();
    }

    private ListValue listValue(Node node, String path, int depth) {
        if (!(node instanceof SequenceNode seq)) {
            error(path, "expected a list, got " + describe(node), node);
            return null;
        }
        ListValue.Builder b = ListValue.newBuilder();
        List<Node> items = seq.getValue();
        for (int i = 0; i < items.size(); i++) {
            Value v = value(items.get(i), SourceLines.element(path, i), depth + 1);
            if (v != null) b.addValues(v);
        }
        return b.build();
    }

    private Value value(Node node, String path, int depth) {
        if (depth > MAX_DEPTH) {
            error(path, "nested too deeply (a recursive alias?)", node);
            return null;
        }
        if (node instanceof MappingNode) {
            Struct s = struct(node, path, depth);
            return s == null ? null : Value.newBuilder().setStructValue(s).build();
        }
        if (node instanceof SequenceNode) {
            ListValue l = listValue(node, path, depth);
            return l == null ? null : Value.newBuilder().setListValue(l).build();
        }
        ScalarNode s = (ScalarNode) node;
        Tag tag = s.getTag();
        if (tag.equals(Tag.NULL)) return Value.newBuilder().setNullValue(NullValue.NULL_VALUE).build();
        if (tag.equals(Tag.BOOL)) {
            return Value.newBuilder().setBoolValue(Boolean.parseBoolean(s.getValue().toLowerCase(Locale.ROOT))).build();
        }
        if (tag.equals(Tag.INT)) {
            BigInteger i = YamlScalarReader.yamlInteger(s.getValue());
            if (i != null) return Value.newBuilder().setNumberValue(i.doubleValue()).build();
        }
        if (tag.equals(Tag.FLOAT)) {
            return Value.newBuilder().setNumberValue(YamlScalarReader.yamlDouble(s.getValue())).build();
        }
        return Value.newBuilder().setStringValue(s.getValue()).build();
    }

    private static boolean isNull(Node node) {
        return node instanceof ScalarNode s && s.getTag().equals(Tag.NULL);
    }

    static String describe(Node node) {
        if (node instanceof MappingNode) return "a mapping";
        if (node instanceof SequenceNode) return "a list";
        ScalarNode s = (ScalarNode) node;
        Tag tag = s.getTag();
        if (tag.equals(Tag.NULL)) return "nothing (null)";
        if (tag.equals(Tag.BOOL)) return s.getValue();
        if (tag.equals(Tag.INT) || tag.equals(Tag.FLOAT)) return "number " + s.getValue();
        return "string '" + s.getValue() + "'";
    }

    private static String unknownField(String name, Descriptor type) {
        List<String> names = type.getFields().stream().map(FieldDescriptor::getName).toList();
        List<String> close = names.stream()
                .filter(n -> editDistance(n, name) <= Math.max(1, Math.min(3, name.length() / 3)))
                .sorted(Comparator.comparingInt(n -> editDistance(n, name)))
                .toList();
        if (!close.isEmpty()) {
            return "unknown field '" + name + "'; did you mean " + close.stream()
                    .map(n -> "'" + n + "'").collect(Collectors.joining(" or ")) + "?";
        }
        return "unknown field '" + name + "'; valid fields here: " + String.join(", ", names);
    }

    /** Edit distance counting a swap of two neighbours as one edit, the commonest typo. */
    static int editDistance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) d[i][0] = i;
        for (int j = 0; j <= b.length(); j++) d[0][j] = j;
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(d[i - 1][j - 1] + cost, Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1));
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }

    private void error(String path, String message, Node node) {
        errors.add(new ConfigError(path, message, line(node)));
    }

    static int line(Node node) {
        return node.getStartMark().map(m -> m.getLine() + 1).orElse(0);
    }
}
