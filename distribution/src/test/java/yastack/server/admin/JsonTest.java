package yastack.server.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The admin API's JSON keeps the layout it had when Vert.x (Jackson) printed it. */
class JsonTest {
    @Test
    void nestedAnswersPrintAsJacksonsPrettyPrinterDid() {
        Map<String, Object> endpoint = new LinkedHashMap<>();
        endpoint.put("address", "10.0.0.1");
        endpoint.put("port", 8080);
        endpoint.put("weight", 1L);
        endpoint.put("healthy", true);
        endpoint.put("ratio", 0.95);
        endpoint.put("stats", new LinkedHashMap<>(Map.of("rq_total", 7L)));
        endpoint.put("none", new LinkedHashMap<>());
        endpoint.put("nothing", null);
        List<Object> eps = new ArrayList<>(List.of(endpoint, endpoint));
        Map<String, Object> cluster = new LinkedHashMap<>();
        cluster.put("name", "a \"quoted\"\tname\\ with \u0001 control and ü");
        cluster.put("endpoints", eps);
        cluster.put("empty", new ArrayList<>());
        cluster.put("numbers", new ArrayList<>(List.of(1, 2, 3)));
        cluster.put("nested", new ArrayList<>(List.of(new ArrayList<>(List.of("x")), new LinkedHashMap<>(Map.of("k", "v")))));
        List<Object> top = new ArrayList<>(List.of(cluster));

        assertEquals(new JsonArray(top).encodePrettily(), Json.pretty(top));
        assertEquals(new JsonObject(cluster).encodePrettily(), Json.pretty(cluster));
        assertEquals(new JsonObject().encodePrettily(), Json.pretty(Map.of()));
        assertEquals(new JsonArray().encodePrettily(), Json.pretty(List.of()));
    }

    @Test
    void aMemberIsAddedToAnObjectsText() {
        assertEquals("{\n  \"a\": 1,\n  \"xds\": {\"v\": 2}\n}", AdminServer.withMember("{\n  \"a\": 1\n}\n", "xds", "{\"v\": 2}"));
        assertEquals("{\n  \"xds\": []\n}", AdminServer.withMember("{\n}", "xds", "[]"));
    }
}
