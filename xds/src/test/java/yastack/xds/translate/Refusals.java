package yastack.xds.translate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.github.xds.type.v3.TypedStruct;
import com.google.protobuf.Any;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import org.junit.jupiter.api.function.ThrowingSupplier;

/** What the translator tests share: a refusal's message (a NACK's error detail names the field path), and small builders. */
final class Refusals {
    private Refusals() {}

    /** Translating throws a {@link Rejection} whose message is {@code expected} (field path first). */
    static void refused(String expected, ThrowingSupplier<?> translation) {
        Rejection r = assertThrows(Rejection.class, translation::get);
        assertEquals(expected, r.getMessage());
    }

    static Address address(String host, int port) {
        return Address.newBuilder().setSocketAddress(SocketAddress.newBuilder().setAddress(host).setPortValue(port)).build();
    }

    static Value string(String s) {
        return Value.newBuilder().setStringValue(s).build();
    }

    static Struct struct(String key, Value value) {
        return Struct.newBuilder().putFields(key, value).build();
    }

    /** {@code {key: value}} as a struct value. */
    static Value structValue(String key, String value) {
        return Value.newBuilder().setStructValue(struct(key, string(value))).build();
    }

    /** One of our extensions as a control plane sends it. */
    static Any typedStruct(String typeUrl, Struct value) {
        return Any.pack(TypedStruct.newBuilder().setTypeUrl(typeUrl).setValue(value).build());
    }
}
