package yastack.deploy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.LabelSelector;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The rules the API server's validation and the kubelet apply beyond field types, for the
 * kinds deploy/kubernetes uses: selectors that select the pod template, named ports and
 * volumes that exist, ConfigMaps that are part of the render, hugepage requests equal to
 * their limits, and Multus networks that name a NetworkAttachmentDefinition.
 */
final class ManifestChecks {
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern PORT_NAME = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

    private final List<String> problems = new ArrayList<>();
    private final Map<String, ConfigMap> configMaps;
    private final Set<String> networks;

    ManifestChecks(Map<String, ConfigMap> configMaps, Set<String> networks) {
        this.configMaps = configMaps;
        this.networks = networks;
    }

    List<String> problems() {
        return problems;
    }

    void object(HasMetadata o) {
        String name = o.getMetadata() == null ? null : o.getMetadata().getName();
        if (name == null || name.length() > 63 || !DNS_LABEL.matcher(name).matches()) {
            problems.add(o.getKind() + ": metadata.name '" + name + "' is not a DNS label");
        }
        switch (o) {
            case Deployment d -> workload("Deployment " + name, d.getSpec().getSelector(), d.getSpec().getTemplate());
            case DaemonSet d -> workload("DaemonSet " + name, d.getSpec().getSelector(), d.getSpec().getTemplate());
            default -> { }
        }
    }

    /** A Service must select some workload's pods and target ports they have. */
    void service(Service s, List<PodTemplateSpec> templates) {
        Map<String, String> selector = s.getSpec().getSelector();
        List<PodTemplateSpec> selected = templates.stream()
                .filter(t -> selector != null && t.getMetadata().getLabels().entrySet().containsAll(selector.entrySet())).toList();
        if (selected.isEmpty()) problems.add("Service " + s.getMetadata().getName() + ": selects no pod template");
        for (ServicePort p : s.getSpec().getPorts()) {
            for (PodTemplateSpec t : selected) {
                if (!hasPort(t.getSpec(), p.getTargetPort())) {
                    problems.add("Service " + s.getMetadata().getName() + ": targetPort " + p.getTargetPort().getValue() + " is no container port");
                }
            }
        }
    }

    private void workload(String what, LabelSelector selector, PodTemplateSpec template) {
        Map<String, String> labels = template.getMetadata().getLabels();
        if (selector == null || selector.getMatchLabels() == null || selector.getMatchLabels().isEmpty()) {
            problems.add(what + ": spec.selector.matchLabels is required");
        } else if (labels == null || !labels.entrySet().containsAll(selector.getMatchLabels().entrySet())) {
            problems.add(what + ": selector " + selector.getMatchLabels() + " does not select the template's labels " + labels);
        }
        PodSpec pod = template.getSpec();
        Set<String> volumes = new HashSet<>();
        boolean hugePageVolume = false;
        for (Volume v : pod.getVolumes()) {
            if (!volumes.add(v.getName())) problems.add(what + ": volume " + v.getName() + " twice");
            if (v.getConfigMap() != null && !configMaps.containsKey(v.getConfigMap().getName())) {
                problems.add(what + ": volume " + v.getName() + " mounts ConfigMap " + v.getConfigMap().getName() + ", which is not rendered");
            }
            if (v.getEmptyDir() != null && String.valueOf(v.getEmptyDir().getMedium()).startsWith("HugePages")) hugePageVolume = true;
        }
        String multus = template.getMetadata().getAnnotations() == null ? null
                : template.getMetadata().getAnnotations().get("k8s.v1.cni.cncf.io/networks");
        if (multus != null) {
            for (String n : multus.split(",")) {
                String network = n.trim().replaceFirst("@.*", "");
                if (!networks.contains(network)) problems.add(what + ": Multus network " + network + " has no NetworkAttachmentDefinition");
            }
        }
        for (Container c : pod.getContainers()) {
            String where = what + " container " + c.getName();
            if (c.getImage() == null || c.getImage().isBlank()) problems.add(where + ": image is required");
            Set<String> portNames = new HashSet<>();
            for (ContainerPort p : c.getPorts()) {
                if (p.getName() != null && (p.getName().length() > 15 || !PORT_NAME.matcher(p.getName()).matches() || !portNames.add(p.getName()))) {
                    problems.add(where + ": bad or repeated port name " + p.getName());
                }
            }
            for (Probe probe : new Probe[] {c.getReadinessProbe(), c.getLivenessProbe(), c.getStartupProbe()}) {
                HTTPGetAction get = probe == null ? null : probe.getHttpGet();
                if (get != null && !hasPort(pod, get.getPort())) problems.add(where + ": probe port " + get.getPort().getValue() + " is no container port");
            }
            for (VolumeMount m : c.getVolumeMounts()) {
                if (!volumes.contains(m.getName())) problems.add(where + ": mounts unknown volume " + m.getName());
            }
            resources(where, c, hugePageVolume);
        }
    }

    /** Quantities that parse; hugepages requested as limits (the API server insists), with memory and CPU limits beside. */
    private void resources(String where, Container c, boolean hugePageVolume) {
        var r = c.getResources();
        Map<String, Quantity> requests = r == null || r.getRequests() == null ? Map.of() : r.getRequests();
        Map<String, Quantity> limits = r == null || r.getLimits() == null ? Map.of() : r.getLimits();
        for (var e : requests.entrySet()) parses(where + " requests." + e.getKey(), e.getValue());
        for (var e : limits.entrySet()) parses(where + " limits." + e.getKey(), e.getValue());
        boolean hugePages = false;
        for (String k : limits.keySet()) {
            if (!k.startsWith("hugepages-")) continue;
            hugePages = true;
            if (!limits.get(k).equals(requests.get(k))) problems.add(where + ": " + k + " requests must equal limits");
            if (!limits.containsKey("memory") || !limits.containsKey("cpu")) problems.add(where + ": hugepages need cpu and memory limits");
        }
        if (hugePageVolume && !hugePages) problems.add(where + ": a HugePages emptyDir needs a hugepages-* request");
    }

    private void parses(String where, Quantity q) {
        try {
            Quantity.getAmountInBytes(q);
        } catch (RuntimeException e) {
            problems.add(where + ": quantity " + q + " does not parse: " + e.getMessage());
        }
    }

    private static boolean hasPort(PodSpec pod, IntOrString port) {
        for (Container c : pod.getContainers()) {
            for (ContainerPort p : c.getPorts()) {
                if (port.getIntVal() != null ? port.getIntVal().equals(p.getContainerPort()) : port.getStrVal().equals(p.getName())) return true;
            }
        }
        return false;
    }
}
