package yastack.api;

import java.util.List;
import java.util.Objects;

/**
 * Header changes a route asks for (Envoy's {@code request_headers_to_add/remove} and
 * {@code response_headers_to_add/remove}): removals first, then additions, on the request
 * sent upstream and on the response sent to the client.
 */
public record HeaderEdits(List<Header> requestAdd, List<String> requestRemove, List<Header> responseAdd,
                          List<String> responseRemove) {
    /** One header to add: {@code append} keeps existing values, otherwise they are replaced. */
    public record Header(String name, String value, boolean append) {
        public Header {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
        }
    }

    public static final HeaderEdits NONE = new HeaderEdits(List.of(), List.of(), List.of(), List.of());

    public HeaderEdits {
        requestAdd = List.copyOf(requestAdd);
        requestRemove = List.copyOf(requestRemove);
        responseAdd = List.copyOf(responseAdd);
        responseRemove = List.copyOf(responseRemove);
    }

    public boolean isEmpty() {
        return requestAdd.isEmpty() && requestRemove.isEmpty() && responseAdd.isEmpty() && responseRemove.isEmpty();
    }
}
