package yastack.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.Struct;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.schema.CoreSchema;
import yastack.api.config.Bootstrap;

/** The reader knows no yastack message: any descriptor works. */
class YamlProtoReaderTest {
    private static Node compose(String yaml) {
        return new Compose(LoadSettings.builder().setSchema(new CoreSchema()).build()).composeString(yaml).orElseThrow();
    }

    @Test
    void readsAnArbitraryMessageTypeFromItsDescriptor() {
        YamlProtoReader reader = new YamlProtoReader();
        DescriptorProto.Builder b = DescriptorProto.newBuilder();
        reader.readRoot(compose("""
                name: Thing
                field:
                  - {name: id, number: 1, type: type_uint64, label: label_optional}
                  - name: tags
                    number: 0x2
                    type: TYPE_STRING
                    label: label_repeated
                    options: {packed: true}
                """), b);
        assertEquals(List.of(), reader.errors());
        DescriptorProto d = b.build();
        assertEquals("Thing", d.getName());
        assertEquals(FieldDescriptorProto.Type.TYPE_UINT64, d.getField(0).getType());
        assertEquals(2, d.getField(1).getNumber());
        assertEquals(FieldDescriptorProto.Label.LABEL_REPEATED, d.getField(1).getLabel());
        assertTrue(d.getField(1).getOptions().getPacked());
        assertEquals(7, reader.lines().lineOf("field[1].label"));
        assertEquals(8, reader.lines().lineOf("field[1].options.packed"));
        assertTrue(reader.lines().written("field[0].type"));
        assertTrue(!reader.lines().written("field[0].json_name"));
    }

    @Test
    void mapFieldsComeFromMappings() {
        YamlProtoReader reader = new YamlProtoReader();
        Struct.Builder b = Struct.newBuilder();
        // Struct's own `fields` is a protobuf map<string, Value>; the reader fills it generically.
        reader.readRoot(compose("fields:\n  a: 1\n  b: [x, {c: false}]\n"), b);
        assertEquals(List.of(), reader.errors());
        assertEquals(1.0, b.getFieldsOrThrow("a").getNumberValue());
        assertEquals("x", b.getFieldsOrThrow("b").getListValue().getValues(0).getStringValue());
        assertEquals(3, reader.lines().lineOf("fields.b"));
        YamlProtoReader dup = new YamlProtoReader();
        dup.readRoot(compose("fields: {a: 1, a: 2}"), Struct.newBuilder());
        assertEquals(List.of(new ConfigError("fields.a", "key written twice", 1)), dup.errors());
    }

    @Test
    void recursiveAliasesStopWithAnError() {
        YamlProtoReader reader = new YamlProtoReader();
        reader.readRoot(compose("""
                clusters:
                  - name: c
                    lb_policy: {plugin: p, config: &loop {again: *loop}}
                """), Bootstrap.newBuilder());
        assertEquals(1, reader.errors().size(), reader.errors()::toString);
        assertTrue(reader.errors().getFirst().message().contains("nested too deeply"), reader.errors()::toString);
        assertEquals(3, reader.errors().getFirst().line());
    }

    @Test
    void integerRangesFollowTheFieldType() {
        YamlProtoReader reader = new YamlProtoReader();
        reader.readRoot(compose("""
                name: x
                number: 2147483648
                oneof_index: -1
                """), FieldDescriptorProto.newBuilder());
        assertEquals(1, reader.errors().size(), reader.errors()::toString);
        assertEquals(new ConfigError("number", "must be an integer in -2147483648..2147483647, got 2147483648", 2),
                reader.errors().getFirst());
    }
}
