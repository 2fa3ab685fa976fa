package yastack.server.cli;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Small HTTP servers for the quickstart that answer with who they are and what they saw. */
final class DemoUpstreams implements AutoCloseable {
    private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
    private final List<HttpServer> servers = new ArrayList<>();

    void start(String name, int port) throws Exception {
        HttpServer s = vertx.createHttpServer().requestHandler(req -> {
            JsonObject headers = new JsonObject();
            for (Map.Entry<String, String> h : req.headers()) headers.put(h.getKey().toLowerCase(), h.getValue());
            JsonObject body = new JsonObject().put("upstream", name).put("method", req.method().name())
                    .put("uri", req.uri()).put("headers", headers);
            req.response().putHeader("content-type", "application/json").end(body.encodePrettily() + "\n");
        }).listen(port, "127.0.0.1").await(10, TimeUnit.SECONDS);
        servers.add(s);
    }

    @Override
    public void close() throws Exception {
        vertx.close().await(5, TimeUnit.SECONDS);
    }
}
