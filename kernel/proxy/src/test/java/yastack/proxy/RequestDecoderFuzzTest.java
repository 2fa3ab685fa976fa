package yastack.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TransferEncodingNotAllowedException;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Coverage-guided fuzzing (Jazzer) of the strict HTTP/1.1 request decoder as the downstream pipeline
 * installs it ({@link DownstreamCodec}). For any bytes a client sends:
 * <ul>
 *   <li>nothing escapes the decoder (a malformed message becomes a refused request, never an exception);
 *   <li>the result does not depend on how TCP cut the bytes (the whole input at once and in small pieces
 *       decode to the same messages);
 *   <li>what it accepts obeys the grammar it promises (token method and field names, no control
 *       characters in values, one framing: a single numeric Content-Length or chunked last), and a body is
 *       exactly as long as its framing says;
 *   <li>a lenient decoder (Netty's own) reads every accepted message the same way: same method, target,
 *       fields and body, so no next hop can frame it differently (the root of request smuggling).
 * </ul>
 * Seeds: {@code src/test/resources/yastack/proxy/RequestDecoderFuzzTestInputs/decodesConsistently/}.
 */
class RequestDecoderFuzzTest {
    private static final int MAX_HEADER_BYTES = 2048;
    /**
     * Netty refuses Transfer-Encoding in any version but exactly 1.1, so it cannot read an
     * HTTP/1.5 chunked request, which RFC 9110 2.5 (and nginx) read as HTTP/1.1, as we do: past
     * that point the oracle has nothing to compare with.
     */
    private static final String NETTY_REFUSES_TE_ABOVE_1_1 = "NETTY-REFUSES-TE-ABOVE-1.1";

    @FuzzTest(maxDuration = "60s", maxExecutions = 40000)
    void decodesConsistently(byte[] input) {
        List<String> whole = decode(input, input.length);
        int piece = 1 + (input.length == 0 ? 0 : (input[0] & 7));
        assertEquals(whole, decode(input, piece), "decoded differently when the bytes arrive " + piece + " at a time");
        List<String> lenient = lenientDecode(input);
        for (int i = 0; i < whole.size(); i++) {
            String message = whole.get(i);
            if (message.startsWith("FAIL")) {
                break; // the connection ends here: nothing after it is read
            }
            if (i < lenient.size() && lenient.get(i).equals(NETTY_REFUSES_TE_ABOVE_1_1)) {
                break; // Netty stops there; what it does not read it cannot read differently
            }
            assertTrue(i < lenient.size(), () -> "Netty's decoder did not read accepted message " + message);
            assertEquals(message, lenient.get(i), "Netty's decoder reads an accepted message differently");
        }
    }

    /** The decoder's messages, each as one line: the head, the whole body and the trailers, or FAIL. */
    private static List<String> decode(byte[] input, int piece) {
        EmbeddedChannel ch = new EmbeddedChannel(new DownstreamCodec(MAX_HEADER_BYTES, 0));
        List<String> messages = new ArrayList<>();
        Message current = null;
        try {
            for (int off = 0; off < input.length; off += piece) {
                ch.writeInbound(Unpooled.wrappedBuffer(input, off, Math.min(piece, input.length - off)));
                ch.checkException();
                Object o;
                while ((o = ch.readInbound()) != null) {
                    try {
                        current = take(o, current, messages);
                    } finally {
                        ReferenceCountUtil.release(o);
                    }
                }
            }
        } finally {
            ch.finishAndReleaseAll();
        }
        return messages;
    }

    private static final class Message {
        final String head;
        final HttpHeaders headers;
        final ByteArrayOutputStream body = new ByteArrayOutputStream();

        Message(HttpRequest r) {
            this.headers = r.headers();
            // RFC 9110 2.5: a higher minor version is read as the highest this side speaks, 1.1
            String version = r.protocolVersion().majorVersion() == 1 && r.protocolVersion().minorVersion() > 1
                    ? "HTTP/1.1" : r.protocolVersion().text();
            StringBuilder sb = new StringBuilder(r.method().name()).append(' ').append(r.uri()).append(' ').append(version);
            // the order of fields with different names carries no meaning (RFC 9110 5.3): compare sorted by name
            List<String> fields = new ArrayList<>();
            for (Map.Entry<String, String> e : r.headers()) {
                String name = e.getKey().toLowerCase(Locale.ROOT);
                String value = e.getValue();
                if (name.equals("transfer-encoding")) value = value.toLowerCase(Locale.ROOT).replaceAll("[ \t]*,[ \t]*", ",");
                if (name.equals("content-length")) value = Long.toString(Long.parseLong(value.trim()));
                fields.add(name + ": " + value);
            }
            fields.sort(Comparator.comparing(f -> f.substring(0, f.indexOf(':'))));
            fields.forEach(f -> sb.append(" | ").append(f));
            this.head = sb.toString();
        }
    }

    private static Message take(Object o, Message current, List<String> out) {
        if (o instanceof HttpRequest r) {
            if (r.decoderResult().isFailure()) {
                out.add("FAIL head");
                return null;
            }
            checkGrammar(r);
            current = new Message(r);
        }
        if (o instanceof HttpContent c) {
            if (c.decoderResult().isFailure()) {
                out.add("FAIL body");
                return null;
            }
            if (current == null) fail("body without a request head");
            append(current.body, c.content());
            if (o instanceof LastHttpContent last) {
                checkLength(current);
                StringBuilder sb = new StringBuilder(current.head).append(" || ")
                        .append(current.body.toString(StandardCharsets.ISO_8859_1));
                for (Map.Entry<String, String> e : last.trailingHeaders()) {
                    sb.append(" | ").append(e.getKey().toLowerCase(Locale.ROOT)).append(": ").append(e.getValue());
                }
                out.add(sb.toString());
                return null;
            }
        }
        return current;
    }

    /** RFC 9112/9110 grammar of an accepted head: what the decoder promises to pass on. */
    private static void checkGrammar(HttpRequest r) {
        assertTrue(r.method().name().chars().allMatch(c -> Http1Grammar.isTchar((char) c)), "method is a token");
        assertTrue(r.uri().chars().allMatch(c -> c > 0x20 && c < 0x7f), "target has no spaces or controls");
        for (Map.Entry<String, String> e : r.headers()) {
            assertTrue(!e.getKey().isEmpty() && e.getKey().chars().allMatch(c -> Http1Grammar.isTchar((char) c)),
                    "field name is a token: " + e.getKey());
            assertTrue(e.getValue().chars().noneMatch(c -> (c < 0x20 && c != '\t') || c == 0x7f),
                    "field value without controls: " + e.getKey());
        }
        List<String> cl = r.headers().getAll(HttpHeaderNames.CONTENT_LENGTH);
        List<String> te = r.headers().getAll(HttpHeaderNames.TRANSFER_ENCODING);
        assertTrue(cl.size() + te.size() <= 1, "one framing field at most: " + cl + " " + te);
        if (!te.isEmpty()) assertEquals("chunked", te.getFirst(), "chunked is the only transfer coding passed on");
        if (!cl.isEmpty()) assertTrue(cl.getFirst().matches("[0-9]{1,18}"), "Content-Length is a number");
    }

    private static void checkLength(Message m) {
        String cl = m.headers.get(HttpHeaderNames.CONTENT_LENGTH);
        if (cl != null) assertEquals(Long.parseLong(cl), m.body.size(), "body length is the Content-Length");
        if (cl == null && !m.headers.contains(HttpHeaderNames.TRANSFER_ENCODING)) assertEquals(0, m.body.size(), "no framing, no body");
    }

    /** Netty's HttpRequestDecoder with generous limits: a typical lenient next hop. */
    private static List<String> lenientDecode(byte[] input) {
        HttpDecoderConfig config = new HttpDecoderConfig().setMaxInitialLineLength(1 << 20).setMaxHeaderSize(1 << 20)
                .setMaxChunkSize(1 << 20).setValidateHeaders(false);
        EmbeddedChannel ch = new EmbeddedChannel(new HttpRequestDecoder(config));
        List<String> messages = new ArrayList<>();
        Message current = null;
        try {
            ch.writeInbound(Unpooled.wrappedBuffer(input));
            Object o;
            while ((o = ch.readInbound()) != null) {
                try {
                    if (o instanceof HttpRequest r && r.decoderResult().cause() instanceof TransferEncodingNotAllowedException
                            && r.protocolVersion().majorVersion() == 1 && r.protocolVersion().minorVersion() > 1) {
                        messages.add(NETTY_REFUSES_TE_ABOVE_1_1);
                        break;
                    }
                    if (o instanceof HttpRequest r && !r.decoderResult().isFailure()) {
                        current = new Message(r);
                    }
                    if (o instanceof HttpContent c && current != null && !c.decoderResult().isFailure()) {
                        append(current.body, c.content());
                        if (o instanceof LastHttpContent last) {
                            StringBuilder sb = new StringBuilder(current.head).append(" || ")
                                    .append(current.body.toString(StandardCharsets.ISO_8859_1));
                            for (Map.Entry<String, String> e : last.trailingHeaders()) {
                                String name = e.getKey().toLowerCase(Locale.ROOT);
                                // the strict decoder drops trailers that must not change framing or routing
                                if (FieldLines.FORBIDDEN_TRAILERS.contains(name)) continue;
                                sb.append(" | ").append(name).append(": ").append(e.getValue());
                            }
                            messages.add(sb.toString());
                            current = null;
                        }
                    }
                } finally {
                    ReferenceCountUtil.release(o);
                }
            }
        } finally {
            ch.finishAndReleaseAll();
        }
        return messages;
    }

    private static void append(ByteArrayOutputStream to, ByteBuf b) {
        byte[] a = new byte[b.readableBytes()];
        b.getBytes(b.readerIndex(), a);
        to.writeBytes(a);
    }
}
