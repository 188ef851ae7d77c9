package dev.egret.controller;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.WeightedPodAffinityTerm;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayInfrastructure;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The objects one Gateway of Egret's class needs, derived from the {@link WaypointTemplate}: a
 * ServiceAccount (the waypoint's mesh identity), the bootstrap ConfigMap, the Deployment and the
 * Service (port {@code mesh} 15008), all named after the Gateway, labelled
 * {@code gateway.networking.k8s.io/gateway-name}, carrying the Gateway's {@code spec.infrastructure}
 * labels and annotations, and owned by the Gateway (so Kubernetes deletes them with it).
 *
 * @param serviceAccount the waypoint's ServiceAccount
 * @param bootstrap the ConfigMap holding Egret's bootstrap
 * @param deployment the waypoint Deployment
 * @param service the Service named in the Gateway's status addresses
 */
public record WaypointResources(ServiceAccount serviceAccount, ConfigMap bootstrap, Deployment deployment,
    Service service) {

  /** The label that ties every generated object (and the pods) to its Gateway. */
  public static final String GATEWAY_NAME_LABEL = "gateway.networking.k8s.io/gateway-name";
  /** {@code app.kubernetes.io/managed-by} on every object the controller owns. */
  public static final String MANAGED_BY = "egret-controller";

  private static final String TEMPLATE_NAME = "waypoint";

  public WaypointResources {
    requireNonNull(serviceAccount, "serviceAccount");
    requireNonNull(bootstrap, "bootstrap");
    requireNonNull(deployment, "deployment");
    requireNonNull(service, "service");
  }

  /** The objects in the order they are applied. */
  public List<HasMetadata> all() {
    return List.of(serviceAccount, bootstrap, service, deployment);
  }

  /** The name of the bootstrap ConfigMap of the waypoint of this Gateway. */
  public static String bootstrapName(String gatewayName) {
    return gatewayName + "-bootstrap";
  }

  /** What the Gateway needs; the Deployment runs {@code config.image()} with one replica. */
  public static WaypointResources desired(Gateway gateway, ControllerConfig config, WaypointTemplate template) {
    requireNonNull(gateway, "gateway");
    requireNonNull(config, "config");
    requireNonNull(template, "template");
    String name = gateway.getMetadata().getName();
    String namespace = gateway.getMetadata().getNamespace();
    GatewayInfrastructure infra = gateway.getSpec() == null ? null : gateway.getSpec().getInfrastructure();
    Map<String, String> infraLabels = infra == null || infra.getLabels() == null ? Map.of() : infra.getLabels();
    Map<String, String> infraAnnotations =
        infra == null || infra.getAnnotations() == null ? Map.of() : infra.getAnnotations();
    OwnerReference owner = new OwnerReferenceBuilder()
        .withApiVersion(gateway.getApiVersion()).withKind("Gateway").withName(name)
        .withUid(gateway.getMetadata().getUid()).withController(true).withBlockOwnerDeletion(true).build();

    ServiceAccount sa = template.fresh(ServiceAccount.class);
    own(sa.getMetadata(), name, namespace, name, infraLabels, infraAnnotations, owner);

    ConfigMap cm = template.fresh(ConfigMap.class);
    own(cm.getMetadata(), bootstrapName(name), namespace, name, infraLabels, infraAnnotations, owner);

    Service svc = template.fresh(Service.class);
    own(svc.getMetadata(), name, namespace, name, infraLabels, infraAnnotations, owner);
    svc.getSpec().setSelector(Map.of(GATEWAY_NAME_LABEL, name));

    Deployment deploy = template.fresh(Deployment.class);
    own(deploy.getMetadata(), name, namespace, name, infraLabels, infraAnnotations, owner);
    deploy.getSpec().setReplicas(1);
    deploy.getSpec().getSelector().setMatchLabels(Map.of(GATEWAY_NAME_LABEL, name));
    ObjectMeta podMeta = deploy.getSpec().getTemplate().getMetadata();
    Map<String, String> podLabels = new LinkedHashMap<>(infraLabels);
    podLabels.putAll(relabel(podMeta.getLabels(), name));
    podLabels.put("service.istio.io/canonical-name", name);
    podMeta.setLabels(podLabels);
    Map<String, String> podAnnotations = new LinkedHashMap<>(infraAnnotations);
    podAnnotations.putAll(podMeta.getAnnotations());
    podAnnotations.remove("checksum/bootstrap");
    podMeta.setAnnotations(podAnnotations);
    PodSpec pod = deploy.getSpec().getTemplate().getSpec();
    pod.setServiceAccountName(name);
    if (pod.getAffinity() != null && pod.getAffinity().getPodAntiAffinity() != null) {
      for (WeightedPodAffinityTerm t : pod.getAffinity().getPodAntiAffinity()
          .getPreferredDuringSchedulingIgnoredDuringExecution()) {
        t.getPodAffinityTerm().getLabelSelector().setMatchLabels(Map.of(GATEWAY_NAME_LABEL, name));
      }
    }
    for (Volume v : pod.getVolumes()) {
      if (v.getConfigMap() != null && bootstrapName(TEMPLATE_NAME).equals(v.getConfigMap().getName())) {
        v.getConfigMap().setName(bootstrapName(name));
      }
    }
    for (Container c : pod.getContainers()) {
      c.setImage(config.image());
      for (EnvVar e : c.getEnv()) {
        if (e.getName().equals("GATEWAY_NAME") || e.getName().equals("ISTIO_META_WORKLOAD_NAME")) {
          e.setValue(name);
        }
      }
    }
    return new WaypointResources(sa, cm, deploy, svc);
  }

  private static void own(ObjectMeta meta, String objectName, String namespace, String gatewayName,
      Map<String, String> infraLabels, Map<String, String> infraAnnotations, OwnerReference owner) {
    meta.setName(objectName);
    meta.setNamespace(namespace);
    Map<String, String> labels = new LinkedHashMap<>(infraLabels);
    labels.putAll(relabel(meta.getLabels(), gatewayName));
    meta.setLabels(labels);
    meta.setAnnotations(infraAnnotations.isEmpty() ? null : new LinkedHashMap<>(infraAnnotations));
    meta.setOwnerReferences(List.of(owner));
  }

  /** The template's labels, made the controller's: no Helm labels, this Gateway's name. */
  private static Map<String, String> relabel(Map<String, String> template, String gatewayName) {
    Map<String, String> labels = new LinkedHashMap<>(template == null ? Map.of() : template);
    labels.remove("helm.sh/chart");
    labels.put("app.kubernetes.io/managed-by", MANAGED_BY);
    labels.put("app.kubernetes.io/instance", gatewayName);
    labels.put(GATEWAY_NAME_LABEL, gatewayName);
    return labels;
  }
}
