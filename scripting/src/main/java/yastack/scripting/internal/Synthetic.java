package yastack.scripting.internal;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;
import yastack.api.Cancellable;
import yastack.api.HttpHeadersView;
import yastack.api.HttpRequestHead;
import yastack.api.HttpResponseHead;
import yastack.api.HttpStream;
import yastack.api.WorkerContext;

/**
 * Plain in-memory requests, responses and streams: the input of smoke calls
 * made while a new script version is validated, off the worker threads.
 */
public final class Synthetic {
    private Synthetic() {}

    /** Headers in a list of name/value pairs, names compared case-insensitively. */
    public static final class Headers implements HttpHeadersView {
        private final List<String[]> lines = new ArrayList<>();

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
            Set<String> seen = new java.util.HashSet<>();
            for (String[] l : lines) if (seen.add(l[0].toLowerCase(Locale.ROOT))) out.add(l[0]);
            return out;
        }

        @Override
        public int size() {
            return lines.size();
        }

        @Override
        public void forEach(BiConsumer<String, String> action) {
            for (String[] l : List.copyOf(lines)) action.accept(l[0], l[1]);
        }
    }

    /** A request head with a settable URI. */
    public static final class Request implements HttpRequestHead {
        private final String method;
        private String uri;
        private final Headers headers = new Headers();

        public Request(String method, String uri) {
            this.method = method;
            this.uri = uri;
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
        public Headers headers() {
            return headers;
        }
    }

    /** A response head. */
    public static final class Response implements HttpResponseHead {
        private int status;
        private final Headers headers = new Headers();

        public Response(int status) {
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
        public Headers headers() {
            return headers;
        }
    }

    /** A worker whose executor runs tasks on the calling thread. */
    public static WorkerContext inlineWorker() {
        return new WorkerContext() {
            @Override
            public int index() {
                return 0;
            }

            @Override
            public Executor executor() {
                return Runnable::run;
            }

            @Override
            public Cancellable schedule(Duration delay, Runnable task) {
                return () -> false;
            }

            @Override
            public boolean inWorker() {
                return true;
            }
        };
    }

    /** A stream from 127.0.0.1 on listener {@code listener}. */
    public static HttpStream stream(String listener, WorkerContext worker) {
        Map<String, Object> attributes = new HashMap<>();
        InetSocketAddress remote = new InetSocketAddress("127.0.0.1", 40000);
        InetSocketAddress local = new InetSocketAddress("127.0.0.1", 8080);
        return new HttpStream() {
            @Override
            public long id() {
                return 0;
            }

            @Override
            public String listenerName() {
                return listener;
            }

            @Override
            public InetSocketAddress downstreamRemoteAddress() {
                return remote;
            }

            @Override
            public InetSocketAddress downstreamLocalAddress() {
                return local;
            }

            @Override
            public String routeName() {
                return "";
            }

            @Override
            public long startNanos() {
                return System.nanoTime();
            }

            @Override
            public WorkerContext worker() {
                return worker;
            }

            @Override
            public Map<String, Object> attributes() {
                return attributes;
            }
        };
    }

    /** The request smoke calls use: {@code GET /} with a host and a user agent. */
    public static Request smokeRequest() {
        Request r = new Request("GET", "/");
        r.headers().add("host", "smoke.invalid");
        r.headers().add("user-agent", "yastack-smoke");
        return r;
    }
}
