package yastack.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link FlatHttpHeaders} keeps the contract of Netty's headers that the proxy and Netty's
 * codecs rely on: case-insensitive names, order kept, set replacing every field of a name,
 * values checked so no field can split a head, and heads encoded and decoded through it byte
 * for byte as with Netty's own.
 */
class FlatHttpHeadersTest {
    private static FlatHttpHeaders of(String... nameValues) {
        FlatHttpHeaders h = new FlatHttpHeaders();
        for (int i = 0; i < nameValues.length; i += 2) h.add(nameValues[i], nameValues[i + 1]);
        return h;
    }

    @Test
    void namesAreCaseInsensitiveAndOrderIsKept() {
        FlatHttpHeaders h = of("Host", "a", "X-One", "1", "x-one", "2", "Accept", "*/*");
        assertEquals("a", h.get("host"));
        assertEquals("1", h.get(AsciiString.of("X-ONE")));
        assertEquals(List.of("1", "2"), h.getAll("X-One"));
        assertEquals(List.of(), h.getAll("missing"));
        assertTrue(h.contains(HttpHeaderNames.ACCEPT));
        assertTrue(h.contains("x-one", "2", false));
        assertFalse(h.contains("x-one", "3", true));
        assertEquals(4, h.size());
        List<String> names = new ArrayList<>();
        for (Map.Entry<String, String> e : h) names.add(e.getKey());
        assertEquals(List.of("Host", "X-One", "x-one", "Accept"), names);
        assertNull(h.get("x-two"));
        assertEquals(7, h.getInt("missing", 7));
    }

    @Test
    void setReplacesEveryFieldOfTheNameInTheFirstOnesPlace() {
        FlatHttpHeaders h = of("A", "1", "B", "2", "a", "3", "C", "4", "A", "5");
        h.set("a", "x");
        assertEquals(List.of("x"), h.getAll("A"));
        List<CharSequence> order = new ArrayList<>();
        h.iteratorCharSequence().forEachRemaining(e -> order.add(e.getKey() + "=" + e.getValue()));
        assertEquals(List.of("a=x", "B=2", "C=4"), order.stream().map(CharSequence::toString).toList());
        h.set("D", List.of("p", "q"));
        assertEquals(List.of("p", "q"), h.getAll("d"));
        h.remove("b").remove(AsciiString.of("D"));
        assertEquals(2, h.size());
        h.setInt(HttpHeaderNames.CONTENT_LENGTH, 12);
        assertEquals(12, h.getInt("content-length"));
        h.set("Date", new Date(0));
        assertEquals("Thu, 01 Jan 1970 00:00:00 GMT", h.get("date"));
        h.clear();
        assertTrue(h.isEmpty());
    }

    @Test
    void namesOfOneLengthAndInitialAreToldApart() {
        FlatHttpHeaders h = of("X-A", "1", "x-b", "2", "X-a", "3", "Y-A", "4", "x-c", "5");
        assertEquals(List.of("1", "3"), h.getAll("x-A"));
        assertEquals("2", h.get("X-B"));
        assertNull(h.get("x-d"));
        h.remove("x-d").remove("X-A");
        List<String> order = new ArrayList<>();
        for (Map.Entry<String, String> e : h) order.add(e.getKey() + "=" + e.getValue());
        assertEquals(List.of("x-b=2", "Y-A=4", "x-c=5"), order);
        h.set("X-C", "6");
        assertEquals("6", h.copy().get("x-c"));
        FlatHttpHeaders many = of("Connection", "close", "X-Keep", "1", "te", "trailers", "x-keep", "2", "UPGRADE", "h2c");
        many.removeEach(new HeaderNameSet(HttpHeaderNames.CONNECTION, "TE", HttpHeaderNames.UPGRADE, "x-none"));
        assertEquals(List.of("1", "2"), many.getAll("x-keep"));
        assertEquals(2, many.size());
    }

    @Test
    void aCopyIsIndependent() {
        FlatHttpHeaders h = of("A", "1", "B", "2");
        HttpHeaders c = h.copy();
        c.set("A", "changed").add("C", "3");
        h.remove("B");
        assertEquals("1", h.get("a"));
        assertEquals(1, h.size());
        assertEquals("changed", c.get("a"));
        assertEquals(3, c.size());
    }

    /**
     * Copies share their arrays until a side writes what both see (appends to a copy go into
     * the free slots behind the original's fields): in every order of edits on originals,
     * copies and copies of copies, each must read as if it had its own fields all along.
     */
    @Test
    void copiesSharingArraysStayIndependentWhateverEitherSideDoes() {
        String[] names = {"Host", "host", "A", "B", "Via", "X-Forwarded-For", "Connection"};
        HeaderNameSet hopByHop = new HeaderNameSet("connection", "via");
        Random rnd = new Random(17);
        for (int round = 0; round < 400; round++) {
            List<FlatHttpHeaders> flats = new ArrayList<>();
            List<List<String[]>> models = new ArrayList<>();
            FlatHttpHeaders first = new FlatHttpHeaders(0);
            byte[] head = "Host: h\r\nA: 1\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
            FieldLines.parse(Unpooled.wrappedBuffer(head), 0, head.length, first, false, false, rnd.nextInt(4));
            flats.add(first);
            models.add(new ArrayList<>(List.of(new String[] {"Host", "h"}, new String[] {"A", "1"}, new String[] {"Connection", "close"})));
            for (int step = 0; step < 24; step++) {
                int k = rnd.nextInt(flats.size());
                FlatHttpHeaders h = flats.get(k);
                List<String[]> m = models.get(k);
                String name = names[rnd.nextInt(names.length)];
                String value = "v" + step;
                switch (rnd.nextInt(7)) {
                    case 0, 1 -> {
                        h.add(name, value);
                        m.add(new String[] {name, value});
                    }
                    case 2 -> {
                        h.set(name, value);
                        int at = indexIgnoringCase(m, name);
                        m.removeIf(f -> f[0].equalsIgnoreCase(name));
                        m.add(at < 0 ? m.size() : at, new String[] {name, value});
                    }
                    case 3 -> {
                        h.remove(name);
                        m.removeIf(f -> f[0].equalsIgnoreCase(name));
                    }
                    case 4 -> {
                        h.removeEach(hopByHop);
                        m.removeIf(f -> f[0].equalsIgnoreCase("connection") || f[0].equalsIgnoreCase("via"));
                    }
                    case 5 -> {
                        flats.add((FlatHttpHeaders) h.copy());
                        models.add(new ArrayList<>(m));
                    }
                    default -> {
                        h.get(name); // caches a view of a parsed value in the (maybe shared) arrays
                        if (rnd.nextInt(8) == 0) {
                            h.clear();
                            m.clear();
                        }
                    }
                }
                for (int i = 0; i < flats.size(); i++) {
                    List<String> want = new ArrayList<>();
                    for (String[] f : models.get(i)) want.add(f[0] + ": " + f[1]);
                    List<String> got = new ArrayList<>();
                    flats.get(i).iteratorCharSequence().forEachRemaining(e -> got.add(e.getKey() + ": " + e.getValue()));
                    assertEquals(want, got, "round " + round + " step " + step + " instance " + i);
                }
            }
        }
    }

    private static int indexIgnoringCase(List<String[]> fields, String name) {
        for (int i = 0; i < fields.size(); i++) {
            if (fields.get(i)[0].equalsIgnoreCase(name)) return i;
        }
        return -1;
    }

    @Test
    void valuesThatCouldEndAFieldAndNamesThatAreNotTokensAreRefused() {
        FlatHttpHeaders h = new FlatHttpHeaders();
        assertThrows(IllegalArgumentException.class, () -> h.add("x-a", "v\r\nInjected: 1"));
        assertThrows(IllegalArgumentException.class, () -> h.set("x-a", "v\n"));
        assertThrows(IllegalArgumentException.class, () -> h.add("x-a", "nul\0"));
        assertThrows(IllegalArgumentException.class, () -> h.add("bad name", "v"));
        assertThrows(IllegalArgumentException.class, () -> h.add("x:y", "v"));
        assertThrows(IllegalArgumentException.class, () -> h.add("", "v"));
        // The same checks for each kind of text (the checks loop over each kind on its own).
        assertThrows(IllegalArgumentException.class, () -> h.add("x-a", AsciiString.of("v\r\nInjected: 1")));
        assertThrows(IllegalArgumentException.class, () -> h.set("x-a", new StringBuilder("del\u007f")));
        assertThrows(IllegalArgumentException.class, () -> h.add(AsciiString.of("bad name"), "v"));
        assertThrows(IllegalArgumentException.class, () -> h.add(new StringBuilder("x:y"), "v"));
        assertTrue(h.isEmpty(), "nothing refused was kept");
        h.add("x-tab", "a\tb");
        h.add("x-latin", "caf\u00e9");
        h.add(AsciiString.of("x-bytes"), new AsciiString(new byte[] {'c', 'a', 'f', (byte) 0xe9, '\t', '!'}));
        assertEquals(3, h.size());
    }

    @Test
    void aResponseDecodedAndEncodedThroughItKeepsItsBytes() {
        String head = "HTTP/1.1 200 OK\r\nServer: up\r\nContent-Length: 2\r\nX-Dup: 1\r\nx-dup: 2\r\n\r\nok";
        EmbeddedChannel client = new EmbeddedChannel(new UpstreamCodec());
        client.writeOutbound(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/"));
        ((ByteBuf) client.readOutbound()).release();
        client.writeInbound(Unpooled.copiedBuffer(head, StandardCharsets.ISO_8859_1));
        HttpResponse r = client.readInbound();
        assertTrue(r.headers() instanceof FlatHttpHeaders);
        assertEquals(List.of("1", "2"), r.headers().getAll("X-DUP"));
        assertEquals(List.of("1", "2"), toStrings(r.headers().valueCharSequenceIterator("x-dup")));
        assertFalse(r.headers().valueCharSequenceIterator("x-none").hasNext());

        EmbeddedChannel server = new EmbeddedChannel(new HttpResponseEncoder());
        server.writeOutbound(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, r.headers()));
        ByteBuf out = server.readOutbound();
        assertEquals(head.substring(0, head.indexOf("\r\n\r\n") + 4), out.toString(StandardCharsets.ISO_8859_1));
        out.release();
        client.finishAndReleaseAll();
    }

    @Test
    void theRequestGrammarFillsIt() {
        ByteBuf in = Unpooled.copiedBuffer("GET /p HTTP/1.1\r\nHost: h\r\nX-A: 1\r\n", StandardCharsets.ISO_8859_1);
        int lineEnd = in.indexOf(0, in.writerIndex(), (byte) '\r');
        HttpRequest r = Http1Grammar.parseRequestLine(in, 0, lineEnd, new FlatHttpHeaders(0));
        FieldLines.parse(in, lineEnd + 2, in.writerIndex(), (FlatHttpHeaders) r.headers(), false, false, 2);
        assertTrue(r.headers() instanceof FlatHttpHeaders);
        assertEquals("h", r.headers().get(HttpHeaderNames.HOST));
        assertEquals("1", r.headers().get("x-a"));
        in.release();
    }

    /** Parsed fields whose values stay in the head's bytes until read: edits, copies and the encoder see them all alike. */
    @Test
    void parsedValuesReadEditAndEncodeAsTheyWouldAsObjects() {
        String fields = "Server: a\r\nX-Empty:\r\nVary: b \r\nX-Obs: \u00e9t\u00e9\r\nVary: c\r\nX-Last:  z\r\n\r\n";
        ByteBuf in = Unpooled.copiedBuffer(fields, StandardCharsets.ISO_8859_1);
        FlatHttpHeaders h = new FlatHttpHeaders(0);
        FieldLines.parse(in, 0, in.writerIndex(), h, true, false, 2);
        in.release();
        FlatHttpHeaders copy = (FlatHttpHeaders) h.copy();
        assertEquals(List.of("b", "c"), h.getAll("vary"));
        h.set("vary", "d"); // the first one's place, the second removed
        h.remove("x-empty");
        h.add("X-New", "n");
        h.add("X-Euro", "\u20ac \u00e9"); // past 0xff: '?', as Netty's US-ASCII writer does
        assertEquals("Server: a\r\nvary: d\r\nX-Obs: \u00e9t\u00e9\r\nX-Last: z\r\nX-New: n\r\nX-Euro: ? \u00e9\r\n", encoded(h));
        assertEquals("Server: a\r\nX-Empty: \r\nVary: b\r\nX-Obs: \u00e9t\u00e9\r\nVary: c\r\nX-Last: z\r\n", encoded(copy));
        assertEquals("\u00e9t\u00e9", copy.get("x-obs"));
        assertEquals("z", copy.valueAt(copy.indexOf("x-last", 0)).toString());
        List<String> seen = new ArrayList<>();
        copy.iteratorCharSequence().forEachRemaining(e -> seen.add(e.getKey() + "=" + e.getValue()));
        assertEquals(List.of("Server=a", "X-Empty=", "Vary=b", "X-Obs=\u00e9t\u00e9", "Vary=c", "X-Last=z"), seen);
    }

    /** Past the first 64 KiB of a head a value is a view at once (its place would not fit); it reads the same. */
    @Test
    void valuesDeepInALargeHeadReadTheSame() {
        String big = "X-Pad: " + "p".repeat(70_000) + "\r\nX-Far: far\r\n\r\n";
        ByteBuf in = Unpooled.copiedBuffer(big, StandardCharsets.ISO_8859_1);
        FlatHttpHeaders h = new FlatHttpHeaders(0);
        FieldLines.parse(in, 0, in.writerIndex(), h, true, false, 0);
        in.release();
        assertEquals(70_000, h.get("x-pad").length());
        assertEquals("far", h.get("x-far"));
        assertEquals(big.substring(0, big.length() - 2), encoded(h));
    }

    /** The fields as both encoders write them, which must agree byte for byte. */
    private static String encoded(FlatHttpHeaders h) {
        ByteBuf out = Unpooled.buffer();
        FieldWriter.encode(h, out);
        String text = out.toString(StandardCharsets.ISO_8859_1);
        out.release();
        byte[] array = new byte[FieldWriter.encodedLength(h)];
        assertEquals(array.length, FieldWriter.encode(h, array, 0));
        assertEquals(text, new String(array, StandardCharsets.ISO_8859_1), "into an array");
        return text;
    }

    private static List<String> toStrings(java.util.Iterator<? extends CharSequence> it) {
        List<String> out = new ArrayList<>();
        it.forEachRemaining(v -> out.add(v.toString()));
        return out;
    }

    @Test
    void containsValueFindsAListElementAsNettysDoes() {
        FlatHttpHeaders flat = of("Connection", "upgrade , Close", "connection", "x-a", "Other", "close");
        HttpHeaders netty = new io.netty.handler.codec.http.DefaultHttpHeaders();
        flat.forEach(e -> netty.add(e.getKey(), e.getValue()));
        for (String token : List.of("close", "CLOSE", "upgrade", "x-a", "x", "upgrade , Close", "", "keep-alive")) {
            for (boolean ignoreCase : new boolean[] {true, false}) {
                assertEquals(netty.containsValue("connection", token, ignoreCase), flat.containsValue("connection", token, ignoreCase),
                        token + " ignoreCase=" + ignoreCase);
            }
        }
        assertTrue(flat.containsValue("connection", "close", true));
        assertFalse(flat.containsValue("connection", "close", false));
        assertFalse(flat.containsValue("missing", "close", true));
        DefaultHttpRequest req = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/", of("Connection", "te, close"));
        assertFalse(io.netty.handler.codec.http.HttpUtil.isKeepAlive(req));
    }
}
