package yastack.scripting.internal;

import java.net.InetSocketAddress;
import java.util.Map;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.proxy.ProxyArray;
import org.graalvm.polyglot.proxy.ProxyExecutable;
import org.graalvm.polyglot.proxy.ProxyObject;
import yastack.api.HttpRequestHead;
import yastack.api.HttpStream;

/**
 * The {@code req} a router or filter script sees: the request line, headers
 * (case-insensitive), query parameters, cookies and where the request came
 * from. Assigning {@code req.path} or {@code req.uri}, and changing
 * {@code req.headers}, changes what the upstream receives. Only valid during
 * the call that received it.
 */
final class JsRequest implements ProxyObject {
    /**
     * The stream attribute the kernel sets to the TLS server name of the
     * connection (the SPI has no accessor for it yet).
     */
    static final String SNI_ATTRIBUTE = "tls.sni";

    private static final Object KEYS = ProxyArray.fromArray((Object[]) new String[] {
        "method", "uri", "path", "query", "queryString", "authority", "protocol", "headers", "cookies",
        "remoteAddress", "remotePort", "localAddress", "localPort", "listener", "sni", "streamId",
        "header", "headerAll", "cookie", "setHeader", "addHeader", "removeHeader"});

    private final HttpStream stream;
    private final HttpRequestHead head;
    private JsHeaders headers;
    private ProxyObject query;
    private Map<String, Object> cookies;

    JsRequest(HttpStream stream, HttpRequestHead head) {
        this.stream = stream;
        this.head = head;
    }

    @Override
    public Object getMember(String key) {
        return switch (key) {
            case "method" -> head.method();
            case "uri" -> head.uri();
            case "path" -> head.path();
            case "queryString" -> head.query();
            case "query" -> query();
            case "authority" -> head.authority();
            case "protocol" -> head.protocol();
            case "headers" -> headers();
            case "cookies" -> ProxyObject.fromMap(cookies());
            case "remoteAddress" -> host(stream.downstreamRemoteAddress());
            case "remotePort" -> port(stream.downstreamRemoteAddress());
            case "localAddress" -> host(stream.downstreamLocalAddress());
            case "localPort" -> port(stream.downstreamLocalAddress());
            case "listener" -> stream.listenerName();
            case "sni" -> sni();
            case "streamId" -> stream.id();
            case "header" -> (ProxyExecutable) a -> head.headers().get(arg(a, 0));
            case "headerAll" -> (ProxyExecutable) a -> ProxyArray.fromList(java.util.List.copyOf(head.headers().getAll(arg(a, 0))));
            case "cookie" -> (ProxyExecutable) a -> cookies().get(arg(a, 0));
            case "setHeader" -> (ProxyExecutable) a -> {
                head.headers().set(arg(a, 0), JsValues.text(a[1]));
                return null;
            };
            case "addHeader" -> (ProxyExecutable) a -> {
                head.headers().add(arg(a, 0), JsValues.text(a[1]));
                return null;
            };
            case "removeHeader" -> (ProxyExecutable) a -> head.headers().remove(arg(a, 0));
            default -> null;
        };
    }

    private static String arg(Value[] a, int i) {
        if (a.length <= i || a[i].isNull()) throw new IllegalArgumentException("argument " + (i + 1) + " is missing");
        return JsValues.text(a[i]);
    }

    private JsHeaders headers() {
        if (headers == null) headers = new JsHeaders(head.headers(), true);
        return headers;
    }

    private ProxyObject query() {
        if (query == null) query = ProxyObject.fromMap(QueryParams.parseQuery(head.query()));
        return query;
    }

    private Map<String, Object> cookies() {
        if (cookies == null) cookies = QueryParams.parseCookies(head.headers().getAll("cookie"));
        return cookies;
    }

    private String sni() {
        Object v = stream.attributes().get(SNI_ATTRIBUTE);
        return v == null ? "" : v.toString();
    }

    private static String host(InetSocketAddress a) {
        return a == null ? "" : a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
    }

    private static int port(InetSocketAddress a) {
        return a == null ? 0 : a.getPort();
    }

    @Override
    public Object getMemberKeys() {
        return KEYS;
    }

    @Override
    public boolean hasMember(String key) {
        return getMember(key) != null || "sni".equals(key);
    }

    @Override
    public void putMember(String key, Value value) {
        switch (key) {
            case "uri" -> head.setUri(JsValues.text(value));
            case "path" -> {
                String q = head.query();
                head.setUri(JsValues.text(value) + (q.isEmpty() ? "" : "?" + q));
            }
            default -> throw new UnsupportedOperationException("req." + key + " is read-only; only path, uri and headers can change");
        }
    }
}
