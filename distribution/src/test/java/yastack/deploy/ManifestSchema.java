package yastack.deploy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * Kubernetes objects as the API server would read them: each rendered document is bound to
 * the API's generated types (fabric8's model) and every field the types do not have, or a
 * value of the wrong type, is an error naming its path. This is the schema check; the
 * workload checks in {@link ManifestChecks} are the rules the API server and kubelet add.
 */
final class ManifestSchema {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Map<String, Class<? extends HasMetadata>> TYPES = Map.of(
            "v1/ConfigMap", ConfigMap.class, "v1/Service", Service.class,
            "apps/v1/Deployment", Deployment.class, "apps/v1/DaemonSet", DaemonSet.class);

    private ManifestSchema() {}

    /** A document of a kind this check knows, typed; throws {@link AssertionError} naming what does not fit. */
    static HasMetadata bind(Map<String, Object> doc) {
        String key = doc.get("apiVersion") + "/" + doc.get("kind");
        Class<? extends HasMetadata> type = TYPES.get(key);
        if (type == null) throw new AssertionError("no schema for " + key);
        HasMetadata object;
        try {
            object = JSON.convertValue(doc, type);
        } catch (JacksonException e) {
            throw new AssertionError(key + ": does not fit the schema: " + e.getOriginalMessage() + " at " + e.getPathReference(), e);
        }
        List<String> unknown = new ArrayList<>();
        unknownFields(object, key, unknown);
        if (!unknown.isEmpty()) throw new AssertionError(key + " " + object.getMetadata().getName() + ": unknown fields " + unknown);
        return object;
    }

    static boolean known(Map<String, Object> doc) {
        return TYPES.containsKey(doc.get("apiVersion") + "/" + doc.get("kind"));
    }

    /** Fields the generated types kept aside (their additionalProperties), anywhere in {@code o}. */
    private static void unknownFields(Object o, String path, List<String> out) {
        if (o == null) return;
        if (o instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) unknownFields(list.get(i), path + "[" + i + "]", out);
            return;
        }
        if (o instanceof Map<?, ?> map) {
            map.forEach((k, v) -> unknownFields(v, path + "." + k, out));
            return;
        }
        if (!o.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) return;
        for (Method m : o.getClass().getMethods()) {
            if (m.getParameterCount() != 0 || !m.getName().startsWith("get") || m.getDeclaringClass() == Object.class) continue;
            Object value;
            try {
                value = m.invoke(o);
            } catch (IllegalAccessException | InvocationTargetException e) {
                continue;
            }
            String field = Character.toLowerCase(m.getName().charAt(3)) + m.getName().substring(4);
            if (m.getName().equals("getAdditionalProperties") && value instanceof Map<?, ?> extra) {
                extra.keySet().forEach(k -> out.add(path + "." + k));
            } else {
                unknownFields(value, path + "." + field, out);
            }
        }
    }
}
