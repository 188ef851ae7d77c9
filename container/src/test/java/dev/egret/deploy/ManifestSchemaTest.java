package dev.egret.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.egret.controller.ControllerConfig;
import dev.egret.controller.WaypointResources;
import dev.egret.controller.WaypointTemplate;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Checks the rendered manifests against the Kubernetes and Gateway API schemas as fabric8 generates its
 * typed model from them: every object must bind to its typed class (apiVersion and kind known, field
 * types right) and leave nothing in any {@code additionalProperties} (no misspelled or unknown field,
 * at any depth). The controller's objects get the same check.
 */
class ManifestSchemaTest {

  @Test
  void everyRenderedObjectBindsToItsTypedSchemaWithNoUnknownField() throws Exception {
    String yaml = Files.readString(Charts.GOLDEN) + "\n---\n" + Files.readString(Charts.CONTROLLER_GOLDEN);
    List<String> problems = new ArrayList<>();
    int checked = 0;
    for (String doc : Pattern.compile("(?m)^---\\s*$").split(yaml)) {
      if (doc.lines().allMatch(l -> l.isBlank() || l.startsWith("#"))) {
        continue;
      }
      KubernetesResource obj = Serialization.unmarshal(doc, KubernetesResource.class);
      assertThat(obj).as("typed model for:%n%s", doc).isNotInstanceOf(GenericKubernetesResource.class);
      unknownFields(obj, ((HasMetadata) obj).getKind(), problems, new IdentityHashMap<>());
      checked++;
    }
    assertThat(checked).isEqualTo(8 + 8);
    assertThat(problems).isEmpty();
  }

  @Test
  void controllerObjectsHaveNoUnknownField() throws Exception {
    Gateway gw = Serialization.unmarshal("""
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: { name: egress, namespace: team-a, uid: 1234 }
        spec:
          gatewayClassName: egret-waypoint
          infrastructure: { labels: { team: a }, annotations: { owner: sre } }
          listeners: [{ name: mesh, port: 15008, protocol: HBONE }]
        """, Gateway.class);
    WaypointResources r = WaypointResources.desired(gw,
        new ControllerConfig(ControllerConfig.DEFAULT_CONTROLLER_NAME, "egret:1", "cluster.local"),
        WaypointTemplate.of(Files.readString(Charts.GOLDEN)));
    List<String> problems = new ArrayList<>();
    for (HasMetadata obj : r.all()) {
      // round trip through YAML so what is checked is what the API server would receive
      KubernetesResource back = Serialization.unmarshal(Serialization.asYaml(obj), KubernetesResource.class);
      unknownFields(back, obj.getKind(), problems, new IdentityHashMap<>());
    }
    assertThat(problems).isEmpty();
  }

  @Test
  void aMisspelledFieldIsFound() throws Exception {
    KubernetesResource svc = Serialization.unmarshal("""
        apiVersion: v1
        kind: Service
        metadata: { name: x }
        spec: { selektor: { a: b }, ports: [{ port: 1, targetPort: 1, apProtocol: all }] }
        """, KubernetesResource.class);
    List<String> problems = new ArrayList<>();
    unknownFields(svc, "Service", problems, new IdentityHashMap<>());
    assertThat(problems).containsExactlyInAnyOrder("Service.spec: unknown field(s) [selektor]",
        "Service.spec.ports[0]: unknown field(s) [apProtocol]");
  }

  /** Walks fabric8 model objects through their getters and reports non-empty additionalProperties. */
  private static void unknownFields(Object obj, String path, List<String> problems, Map<Object, Object> seen)
      throws Exception {
    if (obj == null || seen.put(obj, obj) != null) {
      return;
    }
    if (obj instanceof Collection<?> c) {
      int i = 0;
      for (Object o : c) {
        unknownFields(o, path + "[" + i++ + "]", problems, seen);
      }
      return;
    }
    if (!obj.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
      return;
    }
    for (Method m : obj.getClass().getMethods()) {
      if (m.getParameterCount() != 0 || !m.getName().startsWith("get") || Modifier.isStatic(m.getModifiers())
          || m.getDeclaringClass() == Object.class) {
        continue;
      }
      Object value = m.invoke(obj);
      if (m.getName().equals("getAdditionalProperties")) {
        if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
          problems.add(path + ": unknown field(s) " + extra.keySet());
        }
        continue;
      }
      String field = Character.toLowerCase(m.getName().charAt(3)) + m.getName().substring(4);
      if (value instanceof Map<?, ?> map) {
        for (Map.Entry<?, ?> e : map.entrySet()) {
          unknownFields(e.getValue(), path + "." + field + "[" + e.getKey() + "]", problems, seen);
        }
      } else {
        unknownFields(value, path + "." + field, problems, seen);
      }
    }
  }
}
