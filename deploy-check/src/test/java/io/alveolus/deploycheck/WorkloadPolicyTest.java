package io.alveolus.deploycheck;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every workload: probes on the Quarkus health endpoints, requests and limits, a locked-down security context
 * with a writable /tmp, no service-account token, scrape annotations, a PDB, a NetworkPolicy and a Service.
 */
class WorkloadPolicyTest {

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.alveolus.deploycheck.Scenario#all")
    void everyContainerIsProbedSizedAndLockedDown(Scenario scenario) {
        List<String> problems = new ArrayList<>();
        for (Deployment d : scenario.manifests().ofKind("Deployment", Deployment.class)) {
            String w = d.getMetadata().getName();
            PodSpec pod = d.getSpec().getTemplate().getSpec();
            PodSecurityContext psc = pod.getSecurityContext();
            boolean podNonRoot = psc != null && Boolean.TRUE.equals(psc.getRunAsNonRoot());
            if (psc == null || psc.getSeccompProfile() == null || !"RuntimeDefault".equals(psc.getSeccompProfile().getType())) {
                problems.add(w + ": pod seccompProfile is not RuntimeDefault");
            }
            if (!Boolean.FALSE.equals(pod.getAutomountServiceAccountToken())) {
                problems.add(w + ": pod automountServiceAccountToken is not false");
            }
            if (Boolean.TRUE.equals(pod.getHostNetwork()) || Boolean.TRUE.equals(pod.getHostPID()) || Boolean.TRUE.equals(pod.getHostIPC())) {
                problems.add(w + ": uses host namespaces");
            }
            List<Container> containers = new ArrayList<>(pod.getContainers());
            containers.addAll(Optional.ofNullable(pod.getInitContainers()).orElse(List.of()));
            for (Container c : containers) {
                String where = w + "/" + c.getName();
                probe(problems, where, "startupProbe", c.getStartupProbe(), "/q/health/started");
                probe(problems, where, "livenessProbe", c.getLivenessProbe(), "/q/health/live");
                probe(problems, where, "readinessProbe", c.getReadinessProbe(), "/q/health/ready");
                resources(problems, where, c.getResources());
                SecurityContext sc = c.getSecurityContext();
                if (sc == null) {
                    problems.add(where + ": no securityContext");
                    continue;
                }
                if (!(Boolean.TRUE.equals(sc.getRunAsNonRoot()) || (sc.getRunAsNonRoot() == null && podNonRoot))) {
                    problems.add(where + ": runAsNonRoot is not true");
                }
                if (sc.getRunAsUser() != null && sc.getRunAsUser() == 0L || psc != null && psc.getRunAsUser() != null && psc.getRunAsUser() == 0L) {
                    problems.add(where + ": runs as uid 0");
                }
                if (!Boolean.TRUE.equals(sc.getReadOnlyRootFilesystem())) {
                    problems.add(where + ": readOnlyRootFilesystem is not true");
                }
                if (!Boolean.FALSE.equals(sc.getAllowPrivilegeEscalation())) {
                    problems.add(where + ": allowPrivilegeEscalation is not false");
                }
                if (Boolean.TRUE.equals(sc.getPrivileged())) {
                    problems.add(where + ": privileged");
                }
                if (sc.getCapabilities() == null || !sc.getCapabilities().getDrop().contains("ALL")
                        || !Optional.ofNullable(sc.getCapabilities().getAdd()).orElse(List.of()).isEmpty()) {
                    problems.add(where + ": capabilities are not drop [ALL] with nothing added");
                }
                Optional<VolumeMount> tmp = c.getVolumeMounts().stream().filter(m -> "/tmp".equals(m.getMountPath())).findFirst();
                if (tmp.isEmpty()) {
                    problems.add(where + ": no writable /tmp");
                } else {
                    Optional<Volume> vol = pod.getVolumes().stream().filter(v -> v.getName().equals(tmp.get().getName())).findFirst();
                    if (vol.isEmpty() || vol.get().getEmptyDir() == null || vol.get().getEmptyDir().getSizeLimit() == null) {
                        problems.add(where + ": /tmp is not a size-limited emptyDir");
                    }
                }
                if (c.getPorts().stream().noneMatch(p -> "http".equals(p.getName()) && p.getContainerPort() == 8080)) {
                    problems.add(where + ": no port http/8080");
                }
            }
            Map<String, String> ann = d.getSpec().getTemplate().getMetadata().getAnnotations();
            if (ann == null || !"true".equals(ann.get("prometheus.io/scrape")) || !"8080".equals(ann.get("prometheus.io/port"))
                    || !"/q/metrics".equals(ann.get("prometheus.io/path"))) {
                problems.add(w + ": missing prometheus.io scrape annotations for :8080/q/metrics");
            }
        }
        report(scenario, problems);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.alveolus.deploycheck.Scenario#all")
    void everyWorkloadHasItsServiceAccountPdbNetworkPolicyAndService(Scenario scenario) {
        Manifests m = scenario.manifests();
        List<String> problems = new ArrayList<>();
        List<PodDisruptionBudget> pdbs = m.ofKind("PodDisruptionBudget", PodDisruptionBudget.class);
        List<NetworkPolicy> policies = m.ofKind("NetworkPolicy", NetworkPolicy.class);
        List<Service> services = m.ofKind("Service", Service.class);
        for (Deployment d : m.ofKind("Deployment", Deployment.class)) {
            String w = d.getMetadata().getName();
            Map<String, String> podLabels = d.getSpec().getTemplate().getMetadata().getLabels();
            if (!selects(d.getSpec().getSelector(), podLabels)) {
                problems.add(w + ": Deployment selector does not match its pod labels");
            }
            String saName = d.getSpec().getTemplate().getSpec().getServiceAccountName();
            Optional<ServiceAccount> sa = m.find("ServiceAccount", saName == null ? "" : saName).map(x -> Manifests.as(x, ServiceAccount.class));
            if (sa.isEmpty()) {
                problems.add(w + ": its ServiceAccount " + saName + " is not rendered (default SA used)");
            } else if (!Boolean.FALSE.equals(sa.get().getAutomountServiceAccountToken())) {
                problems.add(w + ": ServiceAccount " + saName + " automounts its token");
            }
            if (pdbs.stream().noneMatch(p -> selects(p.getSpec().getSelector(), podLabels))) {
                problems.add(w + ": no PodDisruptionBudget selects its pods");
            }
            List<NetworkPolicy> mine = policies.stream().filter(p -> selects(p.getSpec().getPodSelector(), podLabels)).toList();
            if (mine.isEmpty()) {
                problems.add(w + ": no NetworkPolicy selects its pods");
            } else if (mine.stream().noneMatch(p -> p.getSpec().getPolicyTypes().containsAll(List.of("Ingress", "Egress")))) {
                problems.add(w + ": its NetworkPolicy does not restrict both Ingress and Egress");
            }
            if (services.stream().noneMatch(s -> s.getSpec().getSelector() != null && podLabels.entrySet().containsAll(s.getSpec().getSelector().entrySet()))) {
                problems.add(w + ": no Service selects its pods (metrics / ServiceMonitor need one)");
            }
        }
        report(scenario, problems);
    }

    static boolean selects(LabelSelector selector, Map<String, String> labels) {
        if (selector == null || labels == null) {
            return false;
        }
        if (selector.getMatchExpressions() != null && !selector.getMatchExpressions().isEmpty()) {
            throw new AssertionError("matchExpressions are not used by this chart: " + selector);
        }
        Map<String, String> ml = selector.getMatchLabels();
        return ml != null && !ml.isEmpty() && labels.entrySet().containsAll(ml.entrySet());
    }

    private static void probe(List<String> problems, String where, String kind, Probe p, String path) {
        if (p == null) {
            problems.add(where + ": no " + kind);
        } else if (p.getHttpGet() == null || !path.equals(p.getHttpGet().getPath())) {
            problems.add(where + ": " + kind + " is not an HTTP GET of " + path);
        } else if (!"http".equals(p.getHttpGet().getPort().getStrVal())
                && !Integer.valueOf(8080).equals(p.getHttpGet().getPort().getIntVal())) {
            problems.add(where + ": " + kind + " is not on port http/8080");
        }
    }

    private static void resources(List<String> problems, String where, ResourceRequirements r) {
        if (r == null) {
            problems.add(where + ": no resources");
            return;
        }
        for (String res : List.of("cpu", "memory")) {
            Quantity req = r.getRequests() == null ? null : r.getRequests().get(res);
            Quantity lim = r.getLimits() == null ? null : r.getLimits().get(res);
            if (req == null) {
                problems.add(where + ": no " + res + " request");
            }
            if (lim == null) {
                problems.add(where + ": no " + res + " limit");
            }
            if (req != null && lim != null && req.getNumericalAmount().compareTo(lim.getNumericalAmount()) > 0) {
                problems.add(where + ": " + res + " request " + req + " above limit " + lim);
            }
        }
    }

    static void report(Scenario scenario, List<String> problems) {
        if (!problems.isEmpty()) {
            fail(scenario + ":\n  " + String.join("\n  ", problems));
        }
    }
}
