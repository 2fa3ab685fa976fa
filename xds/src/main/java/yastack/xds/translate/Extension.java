package yastack.xds.translate;

import com.github.xds.type.v3.TypedStruct;
import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;

/**
 * One of our extensions as a control plane sends it: a {@code TypedStruct}
 * ({@code xds.type.v3} or {@code udpa.type.v1}) in a {@code typed_config}, whose
 * {@code type_url} says what it is and whose {@code value} is its config:
 * <ul>
 *   <li>{@code yastack.dev/plugin/NAME}: the plugin NAME (built in or from a plugin jar), the
 *       value being its config;</li>
 *   <li>{@code yastack.dev/javascript}: a script sent inline, the value being
 *       {@code {source: "...", config: {...}}}.</li>
 * </ul>
 * Whether it is a filter, a router, a balancer or an L4 filter follows from where it sits.
 *
 * @param plugin the plugin name, or null for a script
 * @param source the script's source, or null for a plugin
 * @param config the plugin's config, or the script's {@code ctx.config}
 */
public record Extension(String plugin, String source, Struct config) {
    public static final String PLUGIN_PREFIX = "yastack.dev/plugin/";
    public static final String JAVASCRIPT = "yastack.dev/javascript";
    static final String XDS_TYPED_STRUCT = "type.googleapis.com/xds.type.v3.TypedStruct";
    static final String UDPA_TYPED_STRUCT = "type.googleapis.com/udpa.type.v1.TypedStruct";

    /** Whether {@code any} is a TypedStruct (ours or someone else's). */
    static boolean isTypedStruct(Any any) {
        return any.getTypeUrl().equals(XDS_TYPED_STRUCT) || any.getTypeUrl().equals(UDPA_TYPED_STRUCT);
    }

    /** Reads one of our extensions from {@code any} (at {@code path}); rejects any other type. */
    static Extension of(Any any, String path) throws Rejection {
        String typeUrl;
        Struct value;
        try {
            // udpa.type.v1.TypedStruct is the same message (fields 1 and 2) under its older name.
            if (!isTypedStruct(any)) throw new Rejection(path, "type " + any.getTypeUrl() + " is not supported");
            TypedStruct ts = TypedStruct.parseFrom(any.getValue());
            typeUrl = ts.getTypeUrl();
            value = ts.getValue();
        } catch (InvalidProtocolBufferException e) {
            throw new Rejection(path, "cannot decode " + any.getTypeUrl() + ": " + e.getMessage());
        }
        if (typeUrl.startsWith(PLUGIN_PREFIX) && typeUrl.length() > PLUGIN_PREFIX.length()) {
            return new Extension(typeUrl.substring(PLUGIN_PREFIX.length()), null, value);
        }
        if (typeUrl.equals(JAVASCRIPT)) {
            Value source = value.getFieldsOrDefault("source", Value.getDefaultInstance());
            if (source.getKindCase() != Value.KindCase.STRING_VALUE || source.getStringValue().isBlank()) {
                throw new Rejection(path + ".value.source", "the script's source is required (a string)");
            }
            for (String k : value.getFieldsMap().keySet()) {
                if (!k.equals("source") && !k.equals("config")) throw new Rejection(path + ".value." + k, "not supported; give source and config");
            }
            Value config = value.getFieldsOrDefault("config", Value.getDefaultInstance());
            if (config.getKindCase() != Value.KindCase.STRUCT_VALUE && config.getKindCase() != Value.KindCase.KIND_NOT_SET) {
                throw new Rejection(path + ".value.config", "must be an object");
            }
            return new Extension(null, source.getStringValue(), config.getStructValue());
        }
        throw new Rejection(path + ".type_url", "'" + typeUrl + "' is not a yastack extension; expected "
                + PLUGIN_PREFIX + "NAME or " + JAVASCRIPT);
    }
}
