package dev.egret.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClassBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatusAddress;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The controller against fabric8's Kubernetes mock server in CRUD mode (a stand-in API server). */
@EnableKubernetesMockClient(crud = true)
class WaypointControllerTest {

  private static final String NS = "apps";
  private static final Duration DEADLINE = Duration.ofSeconds(20);

  KubernetesClient client;
  private WaypointController controller;

  @BeforeEach
  void startController() {
    client.resource(gatewayClass("egret-waypoint", ControllerConfig.DEFAULT_CONTROLLER_NAME)).create();
    client.resource(gatewayClass("istio-waypoint", "istio.io/gateway-controller")).create();
    controller = new WaypointController(client,
        new ControllerConfig(ControllerConfig.DEFAULT_CONTROLLER_NAME, "registry.example/egret:1.2.3", "cluster.local"),
        WaypointTemplate.fromClasspath(), Clock.fixed(Instant.parse("2026-11-22T10:00:00Z"), ZoneOffset.UTC));
    controller.start();
  }

  @AfterEach
  void stopController() {
    controller.close();
  }

  @Test
  void gatewayOfEgretClassGetsServiceAccountBootstrapDeploymentAndService() {
    Gateway gw = client.resource(gateway("waypoint", "egret-waypoint", Map.of())).create();

    Deployment d = await(() -> client.apps().deployments().inNamespace(NS).withName("waypoint").get());
    assertThat(d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .isEqualTo("registry.example/egret:1.2.3");
    assertThat(d.getSpec().getReplicas()).isEqualTo(1);
    assertThat(d.getSpec().getSelector().getMatchLabels())
        .containsExactly(Map.entry("gateway.networking.k8s.io/gateway-name", "waypoint"));
    assertThat(d.getSpec().getTemplate().getMetadata().getLabels())
        .containsEntry("gateway.networking.k8s.io/gateway-name", "waypoint")
        .containsEntry("istio.io/dataplane-mode", "none");
    assertThat(d.getSpec().getTemplate().getSpec().getServiceAccountName()).isEqualTo("waypoint");
    assertOwnedBy(d.getMetadata().getOwnerReferences(), gw);

    Service svc = await(() -> client.services().inNamespace(NS).withName("waypoint").get());
    assertThat(svc.getSpec().getPorts()).anySatisfy(p -> {
      assertThat(p.getName()).isEqualTo("mesh");
      assertThat(p.getPort()).isEqualTo(15008);
    });
    assertThat(svc.getSpec().getSelector()).containsExactly(Map.entry("gateway.networking.k8s.io/gateway-name", "waypoint"));
    assertOwnedBy(svc.getMetadata().getOwnerReferences(), gw);
    ServiceAccount sa = await(() -> client.serviceAccounts().inNamespace(NS).withName("waypoint").get());
    assertOwnedBy(sa.getMetadata().getOwnerReferences(), gw);
    ConfigMap cm = await(() -> client.configMaps().inNamespace(NS).withName("waypoint-bootstrap").get());
    assertThat(cm.getData().get("bootstrap.yaml")).contains("port_value: 15021");
  }

  @Test
  void gatewayStatusCarriesTheServiceAddressAndConditions() {
    client.resource(gateway("waypoint", "egret-waypoint", Map.of())).create();

    Gateway gw = await(() -> {
      Gateway g = client.resources(Gateway.class).inNamespace(NS).withName("waypoint").get();
      return g.getStatus() != null && !g.getStatus().getAddresses().isEmpty() ? g : null;
    });
    assertThat(gw.getStatus().getAddresses()).extracting(GatewayStatusAddress::getValue)
        .contains("waypoint.apps.svc.cluster.local");
    assertThat(gw.getStatus().getConditions()).extracting(Condition::getType, Condition::getStatus)
        .containsExactlyInAnyOrder(tuple("Accepted", "True"), tuple("Programmed", "True"));
    assertThat(gw.getStatus().getListeners()).singleElement().satisfies(l -> {
      assertThat(l.getName()).isEqualTo("mesh");
      assertThat(l.getConditions()).extracting(Condition::getType, Condition::getStatus)
          .contains(tuple("Accepted", "True"), tuple("Programmed", "True"));
    });
    GatewayClass gc = await(() -> {
      GatewayClass c = client.resources(GatewayClass.class).withName("egret-waypoint").get();
      return c.getStatus() != null && c.getStatus().getConditions() != null ? c : null;
    });
    assertThat(gc.getStatus().getConditions()).extracting(Condition::getType, Condition::getStatus)
        .containsExactly(tuple("Accepted", "True"));
  }

  @Test
  void updatingTheGatewaysInfrastructureLabelsUpdatesTheDeployment() {
    client.resource(gateway("waypoint", "egret-waypoint", Map.of())).create();
    await(() -> client.apps().deployments().inNamespace(NS).withName("waypoint").get());

    // the controller writes the Gateway's status meanwhile: like any client, retry an edit that raced it
    for (int attempt = 1; ; attempt++) {
      try {
        client.resources(Gateway.class).inNamespace(NS).withName("waypoint").edit(g -> {
          g.getSpec().setInfrastructure(new io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayInfrastructureBuilder()
              .withLabels(Map.of("team", "payments")).withAnnotations(Map.of("example.com/owner", "sre")).build());
          return g;
        });
        break;
      } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
        if (e.getCode() != 409 || attempt == 10) {
          throw e;
        }
      }
    }

    Deployment d = await(() -> {
      Deployment x = client.apps().deployments().inNamespace(NS).withName("waypoint").get();
      return "payments".equals(x.getSpec().getTemplate().getMetadata().getLabels().get("team")) ? x : null;
    });
    assertThat(d.getMetadata().getLabels()).containsEntry("team", "payments");
    assertThat(d.getMetadata().getAnnotations()).containsEntry("example.com/owner", "sre");
    assertThat(d.getSpec().getTemplate().getMetadata().getAnnotations()).containsEntry("example.com/owner", "sre");
  }

  @Test
  void deletingTheGatewayDeletesWhatWasMadeForIt() {
    client.resource(gateway("waypoint", "egret-waypoint", Map.of())).create();
    await(() -> client.apps().deployments().inNamespace(NS).withName("waypoint").get());
    await(() -> client.services().inNamespace(NS).withName("waypoint").get());

    client.resources(Gateway.class).inNamespace(NS).withName("waypoint").delete();

    await(() -> client.apps().deployments().inNamespace(NS).withName("waypoint").get() == null
        && client.services().inNamespace(NS).withName("waypoint").get() == null
        && client.serviceAccounts().inNamespace(NS).withName("waypoint").get() == null
        && client.configMaps().inNamespace(NS).withName("waypoint-bootstrap").get() == null ? true : null);
  }

  @Test
  void gatewayOfAnotherClassIsIgnored() {
    client.resource(gateway("istio-wp", "istio-waypoint", Map.of())).create();
    client.resource(gateway("egret-wp", "egret-waypoint", Map.of())).create();

    // The controller handles events in order on one thread: once egret-wp is done, istio-wp was seen.
    await(() -> {
      Gateway g = client.resources(Gateway.class).inNamespace(NS).withName("egret-wp").get();
      return g.getStatus() != null && g.getStatus().getConditions() != null ? g : null;
    });
    assertThat(client.apps().deployments().inNamespace(NS).withName("istio-wp").get()).isNull();
    assertThat(client.services().inNamespace(NS).withName("istio-wp").get()).isNull();
    assertThat(client.resources(Gateway.class).inNamespace(NS).withName("istio-wp").get().getStatus()).isNull();
  }

  @Test
  void nonHboneListenerIsNotAccepted() {
    Gateway http = gateway("plain", "egret-waypoint", Map.of());
    http.getSpec().getListeners().get(0).setProtocol("HTTP");
    http.getSpec().getListeners().get(0).setPort(8080);
    client.resource(http).create();

    Gateway gw = await(() -> {
      Gateway g = client.resources(Gateway.class).inNamespace(NS).withName("plain").get();
      return g.getStatus() != null && g.getStatus().getConditions() != null ? g : null;
    });
    assertThat(gw.getStatus().getConditions()).extracting(Condition::getType, Condition::getStatus, Condition::getReason)
        .contains(tuple("Accepted", "False", "ListenersNotValid"));
    assertThat(gw.getStatus().getListeners().get(0).getConditions())
        .extracting(Condition::getType, Condition::getReason).contains(tuple("Accepted", "UnsupportedProtocol"));
  }

  private static org.assertj.core.groups.Tuple tuple(Object... values) {
    return org.assertj.core.groups.Tuple.tuple(values);
  }

  private static void assertOwnedBy(List<OwnerReference> refs, Gateway gw) {
    assertThat(refs).singleElement().satisfies(r -> {
      assertThat(r.getKind()).isEqualTo("Gateway");
      assertThat(r.getName()).isEqualTo(gw.getMetadata().getName());
      assertThat(r.getUid()).isEqualTo(gw.getMetadata().getUid());
      assertThat(r.getController()).isTrue();
    });
  }

  private static <T> T await(Supplier<T> probe) {
    long end = System.nanoTime() + DEADLINE.toNanos();
    while (true) {
      T value = probe.get();
      if (value != null) {
        return value;
      }
      if (System.nanoTime() > end) {
        throw new AssertionError("condition not met within " + DEADLINE);
      }
      try {
        Thread.sleep(20); // polling the API between checks, not synchronising on time
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  private static GatewayClass gatewayClass(String name, String controllerName) {
    return new GatewayClassBuilder().withNewMetadata().withName(name).endMetadata()
        .withNewSpec().withControllerName(controllerName).endSpec().build();
  }

  private static Gateway gateway(String name, String className, Map<String, String> labels) {
    return new GatewayBuilder().withNewMetadata().withName(name).withNamespace(NS).withLabels(labels).endMetadata()
        .withNewSpec().withGatewayClassName(className)
        .addNewListener().withName("mesh").withPort(15008).withProtocol("HBONE").endListener()
        .endSpec().build();
  }
}
