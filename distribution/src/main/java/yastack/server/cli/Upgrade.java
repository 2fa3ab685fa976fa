package yastack.server.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import yastack.kernel.util.Logs;

/**
 * {@code yastack run --upgrade-from ADMIN}: a new process takes over from a running one on
 * the same box, the simple way. It asks the old one's admin API who it is, binds its own
 * listeners beside the old ones (host sockets share a port with SO_REUSEPORT), and only then
 * sends the old process SIGTERM, which drains it as in Kubernetes: it keeps accepting for
 * {@code drain.delay}, finishes what it has and exits; the new process binds the admin
 * address once that is free.
 */
final class Upgrade {
    private static final System.Logger LOG = Logs.get("yastack");

    /** The process being replaced. */
    record Old(String admin, long pid) {}

    private Upgrade() {}

    /** Looks the old process up through its admin API ({@code host:port} or a URL). */
    static Old find(String admin) {
        String base = admin.contains("://") ? admin : "http://" + admin;
        if (base.endsWith("/")) base = base.substring(0, base.length() - 1);
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build()) {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(base + "/server_info"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) throw new IllegalStateException(base + "/server_info answered " + r.statusCode());
            JsonObject info;
            try {
                info = JsonParser.parseString(r.body()).getAsJsonObject();
            } catch (JsonParseException | IllegalStateException e) {
                throw new IllegalStateException(base + "/server_info is not a JSON object: " + e.getMessage(), e);
            }
            if (!info.has("pid") || !info.get("pid").isJsonPrimitive()) {
                throw new IllegalStateException(base + "/server_info has no pid");
            }
            String state = info.has("state") ? info.get("state").getAsString() : null;
            if (!"LIVE".equals(state)) {
                throw new IllegalStateException("the instance at " + base + " is " + state + ", not LIVE");
            }
            return new Old(base, info.get("pid").getAsLong());
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalStateException("cannot reach the running instance's admin API at " + base + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /**
     * When the old process closes its listeners, connections still in their accept queues are
     * reset unless the kernel moves them to ours ({@code net.ipv4.tcp_migrate_req}, Linux
     * 5.14+, per network namespace); say so when it will not.
     */
    static void warnUnlessRequestsMigrate() {
        Path knob = Path.of("/proc/sys/net/ipv4/tcp_migrate_req");
        String value;
        try {
            value = Files.readString(knob).strip();
        } catch (IOException e) {
            value = "absent";
        }
        if (!value.equals("1")) {
            LOG.log(System.Logger.Level.WARNING, "upgrade: net.ipv4.tcp_migrate_req is " + value + ": connections waiting in the old "
                    + "process's accept queue when it closes its listeners are reset; sysctl -w net.ipv4.tcp_migrate_req=1 moves them here");
        }
    }

    /** Our listeners are bound: tell the old process to drain (SIGTERM) and log when it has exited. */
    static void drainOld(Old old) {
        ProcessHandle p = ProcessHandle.of(old.pid())
                .orElseThrow(() -> new IllegalStateException("process " + old.pid() + " is gone"));
        if (!p.destroy()) throw new IllegalStateException("cannot signal process " + old.pid());
        LOG.log(System.Logger.Level.INFO, "upgrade: serving beside pid " + old.pid() + ", which was sent SIGTERM to drain");
        p.onExit().thenRun(() -> LOG.log(System.Logger.Level.INFO, "upgrade: pid " + old.pid() + " has exited; this instance serves alone"));
    }
}
