package yastack.proxy.filter;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import yastack.api.BodyChunk;
import yastack.api.Cancellable;
import yastack.api.HttpHeadersView;
import yastack.api.HttpRequestHead;
import yastack.api.HttpResponseHead;
import yastack.api.HttpStream;
import yastack.api.LocalReply;
import yastack.api.WorkerContext;

/** In-memory stand-ins for what the proxy gives the filter chain. */
final class Fakes {
    private Fakes() {}

    static final class Headers implements HttpHeadersView {
        final List<String[]> lines = new ArrayList<>();

        @Override
        public String get(CharSequence name) {
            for (String[] l : lines) if (l[0].equalsIgnoreCase(name.toString())) return l[1];
            return null;
        }

        @Override
        public List<String> getAll(CharSequence name) {
            List<String> out = new ArrayList<>();
            for (String[] l : lines) if (l[0].equalsIgnoreCase(name.toString())) out.add(l[1]);
            return out;
        }

        @Override
        public HttpHeadersView set(CharSequence name, CharSequence value) {
            remove(name);
            return add(name, value);
        }

        @Override
        public HttpHeadersView add(CharSequence name, CharSequence value) {
            lines.add(new String[] {name.toString(), value.toString()});
            return this;
        }

        @Override
        public boolean remove(CharSequence name) {
            return lines.removeIf(l -> l[0].equalsIgnoreCase(name.toString()));
        }

        @Override
        public Set<String> names() {
            Set<String> out = new LinkedHashSet<>();
            for (String[] l : lines) out.add(l[0]);
            return out;
        }

        @Override
        public int size() {
            return lines.size();
        }

        @Override
        public void forEach(BiConsumer<String, String> action) {
            for (String[] l : lines) action.accept(l[0], l[1]);
        }
    }

    static final class Request implements HttpRequestHead {
        final Headers headers = new Headers();
        String method;
        String uri;

        Request(String method, String uri) {
            this.method = method;
            this.uri = uri;
        }

        Request header(String n, String v) {
            headers.add(n, v);
            return this;
        }

        @Override
        public String method() {
            return method;
        }

        @Override
        public String uri() {
            return uri;
        }

        @Override
        public void setUri(String uri) {
            this.uri = uri;
        }

        @Override
        public String protocol() {
            return "HTTP/1.1";
        }

        @Override
        public HttpHeadersView headers() {
            return headers;
        }
    }

    static final class Response implements HttpResponseHead {
        final Headers headers = new Headers();
        int status;

        Response(int status) {
            this.status = status;
        }

        @Override
        public int status() {
            return status;
        }

        @Override
        public void setStatus(int status) {
            this.status = status;
        }

        @Override
        public HttpHeadersView headers() {
            return headers;
        }
    }

    static final class Chunk implements BodyChunk {
        byte[] data;

        Chunk(String s) {
            data = s.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public int length() {
            return data.length;
        }

        @Override
        public ByteBuffer view() {
            return ByteBuffer.wrap(data).asReadOnlyBuffer();
        }

        @Override
        public void replace(ByteBuffer d) {
            data = new byte[d.remaining()];
            d.duplicate().get(data);
        }

        String text() {
            return new String(data, StandardCharsets.UTF_8);
        }
    }

    /** A worker whose thread is the test thread; tasks queue until {@link #runTasks}. */
    static final class Worker implements WorkerContext {
        final Thread owner = Thread.currentThread();
        final BlockingQueue<Runnable> tasks = new LinkedBlockingQueue<>();

        @Override
        public int index() {
            return 0;
        }

        @Override
        public Executor executor() {
            return tasks::add;
        }

        @Override
        public Cancellable schedule(Duration delay, Runnable task) {
            tasks.add(task);
            return () -> tasks.remove(task);
        }

        @Override
        public boolean inWorker() {
            return Thread.currentThread() == owner;
        }

        /** Runs queued tasks, waiting up to {@code waitMillis} for the first; returns how many ran. */
        int runTasks(long waitMillis) throws InterruptedException {
            int n = 0;
            Runnable r = tasks.poll(waitMillis, TimeUnit.MILLISECONDS);
            while (r != null) {
                r.run();
                n++;
                r = tasks.poll();
            }
            return n;
        }
    }

    static final class Stream implements HttpStream {
        final Worker worker = new Worker();
        final Map<String, Object> attributes = new HashMap<>();
        InetSocketAddress remote = new InetSocketAddress("127.0.0.7", 40000);

        @Override
        public long id() {
            return 1;
        }

        @Override
        public String listenerName() {
            return "test";
        }

        @Override
        public InetSocketAddress downstreamRemoteAddress() {
            return remote;
        }

        @Override
        public InetSocketAddress downstreamLocalAddress() {
            return new InetSocketAddress("127.0.0.1", 8080);
        }

        @Override
        public String routeName() {
            return "";
        }

        @Override
        public long startNanos() {
            return 0;
        }

        @Override
        public WorkerContext worker() {
            return worker;
        }

        @Override
        public Map<String, Object> attributes() {
            return attributes;
        }
    }

    /** Records what the chain passed on, as readable lines. */
    static final class Sink implements FilterChain.Sink {
        final List<String> events = new ArrayList<>();
        LocalReply reply;

        @Override
        public void forwardRequestHeaders(HttpRequestHead request) {
            events.add("request " + request.method() + " " + request.uri());
        }

        @Override
        public void forwardRequestBody(BodyChunk chunk, boolean last) {
            events.add("request body " + ((Chunk) chunk).text() + (last ? " (last)" : ""));
        }

        @Override
        public void forwardResponseHeaders(HttpResponseHead response) {
            events.add("response " + response.status());
        }

        @Override
        public void forwardResponseBody(BodyChunk chunk, boolean last) {
            events.add("response body " + ((Chunk) chunk).text() + (last ? " (last)" : ""));
        }

        @Override
        public void sendLocalReply(LocalReply r) {
            reply = r;
            events.add("local reply " + r.status());
        }

        @Override
        public void resetStream() {
            events.add("reset");
        }

        @Override
        public void discard(BodyChunk chunk) {
            events.add("discard " + ((Chunk) chunk).text());
        }

        @Override
        public void onPaused() {
            events.add("paused");
        }

        @Override
        public void onResumed() {
            events.add("resumed");
        }
    }
}
