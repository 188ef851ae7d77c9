package dev.egret.deploy;

import static dev.egret.deploy.Charts.at;
import static dev.egret.deploy.Charts.only;
import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Helm chart renders and lints with Helm's own library, gives the objects a waypoint needs, and
 * container/k8s/egret.yaml is exactly its default rendering (regenerate it with
 * {@code mvn -pl container test -Dtest=HelmChartTest -Degret.updateGolden=true}).
 */
@SuppressWarnings("unchecked")
class HelmChartTest {

  private static String rendered;
  private static String renderedControllerMode;
  private static List<Map<String, Object>> objects;

  @BeforeAll
  static void render() throws IOException {
    rendered = Charts.render(Map.of());
    objects = Charts.objects(rendered);
    renderedControllerMode = Charts.render(Charts.CONTROLLER_MODE);
    if (Boolean.getBoolean("egret.updateGolden")) {
      Files.writeString(Charts.GOLDEN, rendered);
      Files.writeString(Charts.CONTROLLER_GOLDEN, renderedControllerMode);
    }
  }

  @Test
  void chartPassesStrictLint() {
    LintResult lint = new Helm(Charts.CHART).lint().strict().call();
    assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
  }

  @Test
  void plainManifestsAreTheChartsDefaultRendering() throws IOException {
    assertThat(Files.readString(Charts.GOLDEN))
        .as("container/k8s/egret.yaml is stale: rerun with -Degret.updateGolden=true")
        .isEqualTo(rendered);
    assertThat(Files.readString(Charts.CONTROLLER_GOLDEN))
        .as("container/k8s/egret-controller.yaml is stale: rerun with -Degret.updateGolden=true")
        .isEqualTo(renderedControllerMode);
  }

  @Test
  void controllerModeRendersTheControllerAndLeavesTheWaypointToIt() {
    List<Map<String, Object>> objs = Charts.objects(renderedControllerMode);
    assertThat(objs.stream().map(o -> (String) o.get("kind")).collect(Collectors.toList()))
        .containsExactlyInAnyOrder("GatewayClass", "Gateway", "ServiceAccount", "ClusterRole",
            "ClusterRoleBinding", "Role", "RoleBinding", "Deployment");
    Map<String, Object> deploy = only(objs, "Deployment");
    assertThat((String) at(deploy, "metadata.name")).isEqualTo("egret-controller");
    Map<String, Object> c = at(deploy, "spec.template.spec.containers.0");
    assertThat((List<String>) at(c, "args"))
        .containsExactly("controller", "--controller-name", "egret.dev/waypoint-controller");
    assertThat((Boolean) at(c, "securityContext.readOnlyRootFilesystem")).isTrue();
    List<Map<String, Object>> rules = at(only(objs, "ClusterRole"), "rules");
    assertThat(rules).anySatisfy(r -> assertThat((List<String>) r.get("resources")).contains("gateways/status"));
    assertThat(rules).anySatisfy(r -> assertThat((List<String>) r.get("resources")).contains("deployments"));
  }

  @Test
  void rendersEveryObjectOfAWaypoint() {
    assertThat(objects.stream().map(o -> (String) o.get("kind")).collect(Collectors.toList()))
        .containsExactlyInAnyOrder("GatewayClass", "Gateway", "ServiceAccount", "ConfigMap", "Deployment",
            "Service", "PodDisruptionBudget", "HorizontalPodAutoscaler");
    assertThat(objects).filteredOn(o -> !"GatewayClass".equals(o.get("kind")))
        .allSatisfy(o -> assertThat((String) at(o, "metadata.namespace")).isEqualTo(Charts.NAMESPACE));
  }

  @Test
  void gatewayClassIsEgretsOwnAndServesServices() {
    Map<String, Object> gc = only(objects, "GatewayClass");
    assertThat((String) at(gc, "apiVersion")).isEqualTo("gateway.networking.k8s.io/v1");
    assertThat((String) at(gc, "metadata.name")).isEqualTo("egret-waypoint");
    Map<String, String> labels = at(gc, "metadata.labels");
    assertThat(labels).containsEntry("istio.io/waypoint-for", "service");
    assertThat((String) at(gc, "spec.controllerName")).isEqualTo("egret.dev/waypoint-controller");
  }

  @Test
  void gatewayHasOneHboneListenerOn15008() {
    Map<String, Object> gw = only(objects, "Gateway");
    assertThat((String) at(gw, "spec.gatewayClassName")).isEqualTo("egret-waypoint");
    List<Map<String, Object>> listeners = at(gw, "spec.listeners");
    assertThat(listeners).hasSize(1);
    assertThat(listeners.get(0)).containsEntry("protocol", "HBONE").containsEntry("port", 15008);
  }

  @Test
  void podIsAnUnprivilegedNativeHboneWaypointScrapedByPrometheus() {
    Map<String, Object> deploy = only(objects, "Deployment");
    Map<String, Object> pod = at(deploy, "spec.template");
    Map<String, String> labels = at(pod, "metadata.labels");
    assertThat(labels).containsEntry("istio.io/dataplane-mode", "none")
        .containsEntry("gateway.networking.k8s.io/gateway-name", "waypoint");
    assertThat(labels).containsAllEntriesOf(at(deploy, "spec.selector.matchLabels"));
    Map<String, String> annotations = at(pod, "metadata.annotations");
    assertThat(annotations).containsEntry("prometheus.io/scrape", "true")
        .containsEntry("prometheus.io/port", "15020").containsEntry("prometheus.io/path", "/stats/prometheus");
    assertThat(deploy).extractingByKey("spec").asInstanceOf(
        org.assertj.core.api.InstanceOfAssertFactories.MAP).doesNotContainKey("replicas");

    Map<String, Object> podSecurity = at(pod, "spec.securityContext");
    assertThat(podSecurity).containsEntry("runAsNonRoot", true).containsEntry("runAsUser", 65532)
        .containsEntry("runAsGroup", 65532);
    assertThat((String) at(pod, "spec.serviceAccountName")).isEqualTo("waypoint");
    assertThat((Boolean) at(pod, "spec.automountServiceAccountToken")).isFalse();

    Map<String, Object> egret = at(pod, "spec.containers.0");
    assertThat((List<String>) at(egret, "args")).containsExactly("-c", "/etc/egret/bootstrap.yaml");
    Map<String, Object> security = at(egret, "securityContext");
    assertThat(security).containsEntry("readOnlyRootFilesystem", true)
        .containsEntry("allowPrivilegeEscalation", false);
    assertThat((List<String>) at(security, "capabilities.drop")).containsExactly("ALL");
    for (String probe : List.of("readinessProbe", "livenessProbe")) {
      assertThat((String) at(egret, probe + ".httpGet.path")).isEqualTo("/ready");
      assertThat((Integer) at(egret, probe + ".httpGet.port")).isEqualTo(15021);
    }
    assertThat(names(at(egret, "ports"))).containsExactly("mesh", "status-port", "http-metrics");
    assertThat((Integer) at(egret, "ports.0.containerPort")).isEqualTo(15008);
    assertThat(names(at(egret, "env"))).contains("POD_NAME", "POD_NAMESPACE", "INSTANCE_IP",
        "SERVICE_ACCOUNT", "ISTIO_META_CLUSTER_ID", "ISTIO_VERSION", "CA_ADDR");
  }

  @Test
  void podMountsTheIstioCaTokenTheMeshRootAndAWritableTmp() {
    Map<String, Object> pod = at(only(objects, "Deployment"), "spec.template.spec");
    List<Map<String, Object>> volumes = at(pod, "volumes");
    Map<String, Object> token = byName(volumes, "istio-token");
    assertThat((String) at(token, "projected.sources.0.serviceAccountToken.audience")).isEqualTo("istio-ca");
    assertThat((String) at(token, "projected.sources.0.serviceAccountToken.path")).isEqualTo("istio-token");
    assertThat((String) at(byName(volumes, "istiod-ca-cert"), "configMap.name")).isEqualTo("istio-ca-root-cert");
    assertThat((Map<String, Object>) at(byName(volumes, "tmp"), "emptyDir")).isNotNull();
    List<Map<String, Object>> mounts = at(pod, "containers.0.volumeMounts");
    assertThat((String) at(byName(mounts, "istio-token"), "mountPath")).isEqualTo("/var/run/secrets/tokens");
    assertThat((String) at(byName(mounts, "istiod-ca-cert"), "mountPath")).isEqualTo("/var/run/secrets/istio");
    assertThat((String) at(byName(mounts, "tmp"), "mountPath")).isEqualTo("/tmp");
    assertThat((String) at(byName(mounts, "bootstrap"), "mountPath")).isEqualTo("/etc/egret");
  }

  @Test
  void serviceExposesMeshOn15008ToTheWaypointPods() {
    Map<String, Object> svc = only(objects, "Service");
    Map<String, Object> mesh = byName(at(svc, "spec.ports"), "mesh");
    assertThat(mesh).containsEntry("port", 15008).containsEntry("targetPort", 15008)
        .containsEntry("appProtocol", "all").containsEntry("protocol", "TCP");
    Map<String, String> podLabels = at(only(objects, "Deployment"), "spec.template.metadata.labels");
    assertThat(podLabels).containsAllEntriesOf(at(svc, "spec.selector"));
    assertThat(podLabels).containsAllEntriesOf(at(only(objects, "PodDisruptionBudget"), "spec.selector.matchLabels"));
    assertThat((Integer) at(only(objects, "PodDisruptionBudget"), "spec.minAvailable")).isEqualTo(1);
    Map<String, Object> hpa = only(objects, "HorizontalPodAutoscaler");
    assertThat((String) at(hpa, "spec.scaleTargetRef.name")).isEqualTo("waypoint");
    assertThat((Integer) at(hpa, "spec.minReplicas")).isEqualTo(2);
  }

  @Test
  void valuesTurnOffAutoscalingAndTheClusterScopedClass() {
    List<Map<String, Object>> custom = Charts.objects(Charts.render(Map.of(
        "autoscaling.enabled", "false", "replicas", "3", "gatewayClass.create", "false",
        "gateway.name", "egress")));
    assertThat(custom.stream().map(o -> (String) o.get("kind")))
        .doesNotContain("GatewayClass", "HorizontalPodAutoscaler");
    Map<String, Object> deploy = only(custom, "Deployment");
    assertThat((Integer) at(deploy, "spec.replicas")).isEqualTo(3);
    assertThat((String) at(deploy, "metadata.name")).isEqualTo("egress");
    assertThat((String) at(deploy, "spec.template.spec.serviceAccountName")).isEqualTo("egress");
  }

  @Test
  void podRunsAsTheImagesUser() throws IOException {
    String script = Files.readString(Charts.CHART.resolve("../../build-image.sh").normalize());
    Map<String, Object> podSecurity = at(only(objects, "Deployment"), "spec.template.spec.securityContext");
    assertThat(script).contains("--config.user " + podSecurity.get("runAsUser") + ":" + podSecurity.get("runAsGroup"));
  }

  private static List<String> names(List<Map<String, Object>> items) {
    return items.stream().map(i -> (String) i.get("name")).collect(Collectors.toList());
  }

  private static Map<String, Object> byName(List<Map<String, Object>> items, String name) {
    return items.stream().filter(i -> name.equals(i.get("name"))).findFirst()
        .orElseThrow(() -> new AssertionError("no " + name + " in " + names(items)));
  }
}
