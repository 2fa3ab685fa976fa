package yastack.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.zip.GZIPOutputStream;
import yastack.api.config.Compression;

/**
 * gzip for responses on their way down (the listener's {@code compression}), as nginx's
 * gzip and Envoy's compressor filter do: only when the client accepts gzip, the response
 * has a body of a listed type at least {@code min_length} long, carries no encoding of its
 * own and does not forbid transformation (no-transform). Each body piece is compressed
 * and flushed as it comes, so streamed responses keep streaming.
 */
final class ResponseCompression {
    /** Envoy's default content types. */
    static final List<String> DEFAULT_TYPES = List.of("text/html", "text/plain", "text/css", "text/xml",
            "application/javascript", "application/json", "application/xhtml+xml", "image/svg+xml");

    /** A listener's compression settings, with the counters of one worker. */
    record Settings(int minLength, Set<String> contentTypes, int level) {
        static Settings of(Compression c) {
            List<String> types = c.getContentTypesCount() == 0 ? DEFAULT_TYPES : c.getContentTypesList();
            return new Settings(c.getMinLength() == 0 ? 30 : c.getMinLength(),
                    Set.copyOf(types.stream().map(t -> t.toLowerCase(Locale.ROOT)).toList()),
                    c.getGzipLevel() == 0 ? 6 : c.getGzipLevel());
        }
    }

    private final Sink sink = new Sink();
    private final int level;
    private final ListenerStats stats;
    private final byte[] scratch = new byte[8192];
    /** Made with the first body piece, whose buffer takes the gzip header. */
    private GZIPOutputStream gzip;

    private ResponseCompression(int level, ListenerStats stats) {
        this.level = level;
        this.stats = stats;
    }

    /**
     * Decides for one response head (already framed for the client): when gzip applies, the
     * head is rewritten (Content-Encoding, Vary, no Content-Length, chunked, a weakened ETag)
     * and the compressor for its body is returned; else null and the head is untouched.
     */
    static ResponseCompression start(HttpRequest request, HttpResponse response, Settings s, ListenerStats stats) {
        HttpHeaders h = response.headers();
        int status = response.status().code();
        if (status < 200 || status == 204 || status == 206 || status == 304 || request.method().equals(HttpMethod.HEAD)
                || !request.protocolVersion().equals(HttpVersion.HTTP_1_1) || !acceptsGzip(request.headers())) {
            return null;
        }
        String encoding = h.get(HttpHeaderNames.CONTENT_ENCODING);
        String type = h.get(HttpHeaderNames.CONTENT_TYPE);
        long length = HttpUtil.getContentLength(response, -1L);
        if ((encoding != null && !encoding.equalsIgnoreCase("identity")) || type == null
                || !s.contentTypes().contains(mediaType(type)) || (length >= 0 && length < s.minLength())
                || h.containsValue(HttpHeaderNames.CACHE_CONTROL, "no-transform", true)) {
            stats.gzipNotCompressed.inc();
            return null;
        }
        h.set(HttpHeaderNames.CONTENT_ENCODING, HttpHeaderValues.GZIP);
        h.remove(HttpHeaderNames.CONTENT_LENGTH);
        h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        if (!h.containsValue(HttpHeaderNames.VARY, "accept-encoding", true)) h.add(HttpHeaderNames.VARY, "Accept-Encoding");
        // The bytes differ from the upstream's, so a strong validator no longer holds (nginx does the same).
        String etag = h.get(HttpHeaderNames.ETAG);
        if (etag != null && etag.startsWith("\"")) h.set(HttpHeaderNames.ETAG, "W/" + etag);
        stats.gzipCompressed.inc();
        return new ResponseCompression(s.level(), stats);
    }

    /** The type/subtype of a Content-Type, lower case, without parameters. */
    private static String mediaType(String contentType) {
        int semi = contentType.indexOf(';');
        return (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
    }

    /** gzip (or *) listed with a q-value above 0, and gzip not refused with q=0 (RFC 9110 12.5.3). */
    static boolean acceptsGzip(HttpHeaders h) {
        boolean gzip = false, star = false, gzipRefused = false;
        for (String value : h.getAll(HttpHeaderNames.ACCEPT_ENCODING)) {
            for (String item : value.split(",")) {
                String[] parts = item.split(";");
                String coding = parts[0].trim().toLowerCase(Locale.ROOT);
                boolean zero = false;
                for (int i = 1; i < parts.length; i++) {
                    String p = parts[i].trim().toLowerCase(Locale.ROOT);
                    if (p.startsWith("q=")) zero = p.substring(2).trim().matches("0(\\.0{0,3})?");
                }
                if (coding.equals("gzip") || coding.equals("x-gzip")) {
                    if (zero) gzipRefused = true;
                    else gzip = true;
                } else if (coding.equals("*") && !zero) {
                    star = true;
                }
            }
        }
        return gzip || (star && !gzipRefused);
    }

    /** Compresses one body piece (releasing it); the last one ends the gzip stream and keeps the trailers. */
    HttpContent encode(HttpContent c, boolean last, ByteBufAllocator alloc) {
        ByteBuf in = c.content();
        stats.gzipUncompressedBytes.add(in.readableBytes());
        ByteBuf out = alloc.buffer(Math.max(64, in.readableBytes() / 2));
        sink.target = out;
        try {
            if (gzip == null) {
                gzip = new GZIPOutputStream(sink, 8192, true) {
                    {
                        def.setLevel(level);
                    }
                };
            }
            while (in.isReadable()) {
                int n = Math.min(in.readableBytes(), scratch.length);
                in.readBytes(scratch, 0, n);
                gzip.write(scratch, 0, n);
            }
            if (last) gzip.close(); // finishes the stream and frees the deflater's native memory
            else gzip.flush();      // sync flush: what came so far can be decompressed now
        } catch (IOException e) {
            out.release();
            throw new UncheckedIOException(e);
        } finally {
            sink.target = null;
        }
        stats.gzipCompressedBytes.add(out.readableBytes());
        HttpHeaders trailers = c instanceof LastHttpContent l ? l.trailingHeaders() : null;
        c.release();
        if (!last) return new DefaultHttpContent(out);
        DefaultLastHttpContent end = new DefaultLastHttpContent(out);
        if (trailers != null) end.trailingHeaders().set(trailers);
        return end;
    }

    /** The exchange ended: frees the deflater now if the response was cut short (a no-op once finished). */
    void discard() {
        if (gzip == null) return;
        try {
            gzip.close();
        } catch (IOException | RuntimeException ignored) {
            // the stream is abandoned either way
        }
    }

    /** Where the gzip stream writes: the buffer of the piece being encoded. */
    private static final class Sink extends OutputStream {
        ByteBuf target;

        @Override
        public void write(int b) {
            if (target != null) target.writeByte(b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            if (target != null) target.writeBytes(b, off, len);
        }
    }
}
