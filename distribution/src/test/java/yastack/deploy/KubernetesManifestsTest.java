package yastack.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.Durations;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import yastack.api.config.Bootstrap;
import yastack.config.ConfigError;
import yastack.config.ConfigException;
import yastack.config.ConfigLoader;
import yastack.config.LoadedConfig;
import yastack.kernel.fixtures.Needs;

/**
 * deploy/kubernetes as a cluster would take it: each kustomization rendered by
 * {@code kubectl kustomize}, every object checked against the Kubernetes API's types and the
 * API server's workload rules, and the yastack config in the ConfigMap loaded as
 * {@code yastack run} would load it.
 */
class KubernetesManifestsTest {
    private static final Path DEPLOY = Path.of(System.getProperty("yastack.repo", "..")).resolve("deploy/kubernetes").toAbsolutePath().normalize();

    @TempDir
    Path tmp;

    /** What one kustomization renders to, checked. */
    record Render(List<HasMetadata> objects, Map<String, Object> networkAttachment, LoadedConfig config, String configText) {
        <T extends HasMetadata> List<T> all(Class<T> type) {
            return objects.stream().filter(type::isInstance).map(type::cast).toList();
        }

        Set<String> kinds() {
            TreeSet<String> kinds = objects.stream().map(o -> o.getKind() + "/" + o.getMetadata().getName()).collect(Collectors.toCollection(TreeSet::new));
            if (networkAttachment != null) kinds.add("NetworkAttachmentDefinition/" + name(networkAttachment));
            return kinds;
        }
    }

    @SuppressWarnings("unchecked")
    private static String name(Map<String, Object> doc) {
        return (String) ((Map<String, Object>) doc.get("metadata")).get("name");
    }

    /** Renders {@code dir}, checks every object, and loads the ConfigMap's config (unless {@code loadConfig} is false). */
    private Render render(String dir, boolean loadConfig) throws Exception {
        Needs.commands("rendering deploy/kubernetes", "kubectl");
        Process p = new ProcessBuilder("kubectl", "kustomize", DEPLOY.resolve(dir).toString()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String yaml = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "kubectl kustomize " + dir + " hung");
        assertEquals(0, p.exitValue(), "kubectl kustomize " + dir + " failed");
        return check(dir, yaml, loadConfig);
    }

    @SuppressWarnings("unchecked")
    private Render check(String what, String yaml, boolean loadConfig) throws Exception {
        List<HasMetadata> objects = new ArrayList<>();
        Map<String, Object> nad = null;
        for (Object doc : new Load(LoadSettings.builder().build()).loadAllFromString(yaml)) {
            // Old kustomize leaves an empty document where a patch deleted an object.
            if (!(doc instanceof Map<?, ?> m) || m.isEmpty()) continue;
            Map<String, Object> d = (Map<String, Object>) m;
            if ("NetworkAttachmentDefinition".equals(d.get("kind"))) {
                networkAttachment(d);
                nad = d;
            } else {
                objects.add(ManifestSchema.bind(d));
            }
        }
        Map<String, ConfigMap> configMaps = new HashMap<>();
        List<PodTemplateSpec> templates = new ArrayList<>();
        for (HasMetadata o : objects) {
            if (o instanceof ConfigMap cm) configMaps.put(cm.getMetadata().getName(), cm);
            if (o instanceof Deployment d) templates.add(d.getSpec().getTemplate());
            if (o instanceof DaemonSet d) templates.add(d.getSpec().getTemplate());
        }
        ManifestChecks checks = new ManifestChecks(configMaps, nad == null ? Set.of() : Set.of(name(nad)));
        objects.forEach(checks::object);
        objects.stream().filter(Service.class::isInstance).forEach(s -> checks.service((Service) s, templates));
        assertEquals(List.of(), checks.problems(), what);

        ConfigMap cm = configMaps.get("yastack-config");
        assertNotNull(cm, what + " has no yastack-config ConfigMap");
        Path mount = Files.createDirectories(tmp.resolve(what.replace('/', '_')));
        for (var e : cm.getData().entrySet()) Files.writeString(mount.resolve(e.getKey()), e.getValue());
        LoadedConfig config = loadConfig ? ConfigLoader.load(mount.resolve("yastack.yaml")) : null;
        return new Render(objects, nad, config, cm.getData().get("yastack.yaml"));
    }

    /** Multus's CRD: spec.config is a CNI config in JSON naming the attachment, and the VF resource is named. */
    @SuppressWarnings("unchecked")
    private static void networkAttachment(Map<String, Object> d) {
        assertEquals("k8s.cni.cncf.io/v1", d.get("apiVersion"));
        Map<String, Object> spec = (Map<String, Object>) d.get("spec");
        JsonNode cni = JsonMapper.builder().build().readTree((String) spec.get("config"));
        assertEquals(name(d), cni.get("name").asString(), "the CNI config's name is the attachment's");
        assertTrue(cni.hasNonNull("cniVersion") && cni.hasNonNull("type"), cni.toString());
        Map<String, Object> annotations = (Map<String, Object>) ((Map<String, Object>) d.get("metadata")).get("annotations");
        assertNotNull(annotations.get("k8s.v1.cni.cncf.io/resourceName"), "the device plugin resource the VFs come from");
    }

    private static long drainTimeoutSeconds(Bootstrap b) {
        return b.getDrain().hasTimeout() ? Durations.toSeconds(b.getDrain().getTimeout()) : 30;
    }

    @Test
    void theBaseIsANonRootDeploymentThatDrainsBehindAService() throws Exception {
        Render r = render("base", true);
        assertEquals(Set.of("ConfigMap/yastack-config", "Deployment/yastack", "Service/yastack"), r.kinds());
        Deployment d = r.all(Deployment.class).getFirst();
        var pod = d.getSpec().getTemplate().getSpec();
        Container c = pod.getContainers().getFirst();
        assertTrue(pod.getSecurityContext().getRunAsNonRoot() && pod.getSecurityContext().getRunAsUser() != 0);
        assertTrue(c.getSecurityContext().getReadOnlyRootFilesystem());
        assertEquals(List.of("ALL"), c.getSecurityContext().getCapabilities().getDrop());
        assertEquals("/ready", c.getReadinessProbe().getHttpGet().getPath());
        assertNotNull(c.getLivenessProbe());
        assertTrue(String.join(" ", c.getLifecycle().getPreStop().getExec().getCommand()).contains("POST /drain_listeners?graceful"));
        assertNotNull(c.getResources().getLimits().get("memory"));
        assertTrue(pod.getTerminationGracePeriodSeconds() > drainTimeoutSeconds(r.config().bootstrap()),
                "the kubelet must wait longer than the drain may take");
        assertEquals("0.0.0.0", r.config().bootstrap().getAdmin().getAddress(), "the kubelet probes the admin API on the pod's address");
        assertEquals(9901, c.getPorts().stream().filter(p -> p.getName().equals("admin")).findFirst().orElseThrow().getContainerPort());
        assertEquals("configMap", pod.getVolumes().stream().filter(v -> v.getName().equals("config")).findFirst().orElseThrow()
                .getConfigMap() != null ? "configMap" : "other");
    }

    @Test
    void theDpdkOverlayIsADaemonSetWithHugepagesAnSriovFunctionAndFewCapabilities() throws Exception {
        Render r = render("overlays/dpdk", true);
        assertEquals(Set.of("ConfigMap/yastack-config", "DaemonSet/yastack-dpdk", "NetworkAttachmentDefinition/yastack-sriov", "Service/yastack"),
                r.kinds());
        var pod = r.all(DaemonSet.class).getFirst().getSpec().getTemplate().getSpec();
        Container c = pod.getContainers().getFirst();
        assertTrue(c.getResources().getLimits().containsKey("hugepages-2Mi"));
        assertTrue(c.getResources().getLimits().containsKey("intel.com/sriov_netdevice"));
        assertEquals(Set.of("NET_ADMIN", "NET_RAW", "IPC_LOCK"), new HashSet<>(c.getSecurityContext().getCapabilities().getAdd()));
        assertEquals(List.of("ALL"), c.getSecurityContext().getCapabilities().getDrop());
        assertTrue(pod.getVolumes().stream().anyMatch(v -> v.getEmptyDir() != null && "HugePages".equals(v.getEmptyDir().getMedium())));
        var stack = r.config().bootstrap().getStack();
        assertEquals("dpdk", stack.getInterfaces(0).getBackend());
        assertTrue(r.config().bootstrap().getListenersList().stream().anyMatch(l -> l.getFlavor() == yastack.api.config.SocketFlavor.USERSPACE));
        assertTrue(r.configText().contains("script: policy.js"), "the overlay keeps the base's JavaScript policy");
    }

    @Test
    void theXdsOverlayCarriesAnEnvoyShapedBootstrap() throws Exception {
        Render r = render("overlays/xds", false);
        assertEquals(Set.of("ConfigMap/yastack-config", "Deployment/yastack", "Service/yastack"), r.kinds());
        Map<String, Object> bootstrap = new Load(LoadSettings.builder().build()).loadFromString(r.configText()) instanceof Map<?, ?> m
                ? castMap(m) : Map.of();
        Map<String, Object> dynamic = castMap((Map<?, ?>) bootstrap.get("dynamic_resources"));
        assertEquals(Set.of("ads_config", "lds_config", "cds_config"), dynamic.keySet());
        assertTrue(r.configText().contains("cluster_name: xds"), r.configText());
        Path file = tmp.resolve("xds.yaml");
        Files.writeString(file, r.configText());
        if (Bootstrap.getDescriptor().findFieldByName("dynamic_resources") != null) {
            ConfigLoader.load(file); // the xDS client is part of this build: the bootstrap must load as it is
        } else {
            // Until the xDS client's schema is merged, everything but its two fields must already be valid.
            ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file));
            assertEquals(Set.of("node", "dynamic_resources"), e.errors().stream().map(ConfigError::path).collect(Collectors.toSet()),
                    e.getMessage());
        }
    }

    @Test
    void theSchemaCheckRejectsMisspelledFieldsWrongTypesAndBrokenReferences() throws Exception {
        String base = Files.readString(DEPLOY.resolve("base/deployment.yaml"));
        String configMap = """
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: yastack-config}
                data: {yastack.yaml: "listeners: []"}
                ---
                """;
        AssertionError typo = assertThrows(AssertionError.class, () -> check("typo",
                configMap + base.replace("imagePullPolicy:", "imagePullPolicyy:"), false));
        assertTrue(typo.getMessage().contains("imagePullPolicyy"), typo.getMessage());
        AssertionError type = assertThrows(AssertionError.class, () -> check("type",
                configMap + base.replace("replicas: 2", "replicas: two"), false));
        assertTrue(type.getMessage().contains("replicas"), type.getMessage());
        AssertionError port = assertThrows(AssertionError.class, () -> check("port",
                configMap + base.replace("path: /ready, port: admin", "path: /ready, port: admim"), false));
        assertTrue(port.getMessage().contains("probe port admim"), port.getMessage());
        AssertionError volume = assertThrows(AssertionError.class, () -> check("volume",
                configMap + base.replace("configMap: {name: yastack-config}", "configMap: {name: other}"), false));
        assertTrue(volume.getMessage().contains("mounts ConfigMap other"), volume.getMessage());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Map<?, ?> m) {
        return (Map<String, Object>) m;
    }
}
