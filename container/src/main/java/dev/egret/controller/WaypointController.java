package dev.egret.controller;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClassStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Egret's Gateway controller. It watches GatewayClasses, Gateways and the Services it made; for every
 * Gateway whose class names {@link ControllerConfig#controllerName()} it creates or updates the
 * {@link WaypointResources} (ServiceAccount, bootstrap ConfigMap, Service, Deployment), then writes the
 * Gateway's status ({@link WaypointStatus}); it marks its GatewayClasses Accepted. When a Gateway is
 * deleted, or moves to another class, it deletes what it made for it (owner references let Kubernetes do
 * the same). Gateways of other classes are never touched.
 *
 * <p>Events only enqueue a Gateway's key; one thread reconciles keys one at a time against the API
 * server's current state, so a reconcile is idempotent and ordering does not matter. A failed reconcile
 * (a conflict, a dropped connection) is retried with back-off up to 30 s apart.
 */
public final class WaypointController implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(WaypointController.class.getName());
  private static final long MAX_BACKOFF_MS = 30_000;

  private final KubernetesClient client;
  private final ControllerConfig config;
  private final WaypointTemplate template;
  private final Clock clock;
  private final ScheduledExecutorService loop;
  private final Set<String> pending = ConcurrentHashMap.newKeySet();
  private final Map<String, Integer> failures = new ConcurrentHashMap<>();
  private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
  private volatile boolean closed;

  public WaypointController(KubernetesClient client, ControllerConfig config, WaypointTemplate template, Clock clock) {
    this.client = requireNonNull(client, "client");
    this.config = requireNonNull(config, "config");
    this.template = requireNonNull(template, "template");
    this.clock = requireNonNull(clock, "clock");
    this.loop = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "egret-controller");
      t.setDaemon(true);
      return t;
    });
  }

  /** Starts watching; returns once the informers have listed what exists. */
  public synchronized void start() {
    informers.add(client.resources(GatewayClass.class).inform(handler(gc -> {
      enqueueClass(gc.getMetadata().getName());
      client.resources(Gateway.class).inAnyNamespace().list().getItems().stream()
          .filter(g -> g.getSpec() != null && gc.getMetadata().getName().equals(g.getSpec().getGatewayClassName()))
          .forEach(this::enqueue);
    })));
    informers.add(client.resources(Gateway.class).inAnyNamespace().inform(handler(this::enqueue)));
    informers.add(client.services().inAnyNamespace().withLabel(WaypointResources.GATEWAY_NAME_LABEL)
        .inform(handler(svc -> enqueue(svc.getMetadata().getNamespace(),
            svc.getMetadata().getLabels().get(WaypointResources.GATEWAY_NAME_LABEL)))));
  }

  private <T extends HasMetadata> ResourceEventHandler<T> handler(Consumer<T> onChange) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(T obj) {
        onChange.accept(obj);
      }

      @Override
      public void onUpdate(T oldObj, T newObj) {
        onChange.accept(newObj);
      }

      @Override
      public void onDelete(T obj, boolean deletedFinalStateUnknown) {
        onChange.accept(obj);
      }
    };
  }

  private void enqueue(Gateway gw) {
    enqueue(gw.getMetadata().getNamespace(), gw.getMetadata().getName());
  }

  private void enqueue(String namespace, String name) {
    if (name != null) {
      submit("gateway/" + namespace + "/" + name, 0);
    }
  }

  private void enqueueClass(String name) {
    submit("class//" + name, 0);
  }

  private void submit(String key, long delayMs) {
    if (pending.add(key)) {
      loop.schedule(() -> run(key), delayMs, TimeUnit.MILLISECONDS);
    }
  }

  private void run(String key) {
    pending.remove(key);
    String[] parts = key.split("/", 3);
    try {
      if (parts[0].equals("class")) {
        reconcileClass(parts[2]);
      } else {
        reconcileGateway(parts[1], parts[2]);
      }
      failures.remove(key);
    } catch (RuntimeException e) {
      if (closed) {
        return; // interrupted by close()
      }
      int n = failures.merge(key, 1, Integer::sum);
      long delay = Math.min(MAX_BACKOFF_MS, 100L << Math.min(n, 10));
      LOG.log(System.Logger.Level.WARNING, "reconcile " + key + " failed (attempt " + n + "), retrying in "
          + delay + " ms: " + e);
      submit(key, delay);
    }
  }

  private boolean ours(GatewayClass gc) {
    return gc != null && gc.getSpec() != null && config.controllerName().equals(gc.getSpec().getControllerName());
  }

  private void reconcileClass(String name) {
    GatewayClass gc = client.resources(GatewayClass.class).withName(name).get();
    if (!ours(gc)) {
      return;
    }
    GatewayClassStatus status = WaypointStatus.gatewayClass(gc, now());
    if (!Objects.equals(status, gc.getStatus())) {
      client.resources(GatewayClass.class).withName(name).editStatus(g -> {
        g.setStatus(status);
        return g;
      });
    }
  }

  private void reconcileGateway(String namespace, String name) {
    Gateway gw = client.resources(Gateway.class).inNamespace(namespace).withName(name).get();
    GatewayClass gc = gw == null || gw.getSpec() == null ? null
        : client.resources(GatewayClass.class).withName(gw.getSpec().getGatewayClassName()).get();
    if (gw == null || gw.getMetadata().getDeletionTimestamp() != null || !ours(gc)) {
      cleanUp(namespace, name);
      return;
    }
    WaypointResources desired = WaypointResources.desired(gw, config, template);
    Deployment existing = client.apps().deployments().inNamespace(namespace).withName(name).get();
    if (existing != null && existing.getSpec() != null && existing.getSpec().getReplicas() != null) {
      desired.deployment().getSpec().setReplicas(existing.getSpec().getReplicas()); // scaled by hand or HPA
    }
    for (HasMetadata obj : desired.all()) {
      client.resource(obj).unlock().createOr(op -> op.update());
    }
    Service svc = client.services().inNamespace(namespace).withName(name).get();
    GatewayStatus status = WaypointStatus.gateway(gw, svc, config.clusterDomain(), now());
    if (!Objects.equals(status, gw.getStatus())) {
      client.resources(Gateway.class).inNamespace(namespace).withName(name).editStatus(g -> {
        g.setStatus(status);
        return g;
      });
    }
  }

  /** Deletes what the controller made for a Gateway that is gone or no longer of Egret's class. */
  private void cleanUp(String namespace, String name) {
    Map<String, String> owned = Map.of(WaypointResources.GATEWAY_NAME_LABEL, name,
        "app.kubernetes.io/managed-by", WaypointResources.MANAGED_BY);
    client.apps().deployments().inNamespace(namespace).withLabels(owned).delete();
    client.services().inNamespace(namespace).withLabels(owned).delete();
    client.configMaps().inNamespace(namespace).withLabels(owned).delete();
    client.serviceAccounts().inNamespace(namespace).withLabels(owned).delete();
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.SECONDS);
  }

  @Override
  public synchronized void close() {
    closed = true;
    informers.forEach(SharedIndexInformer::close);
    informers.clear();
    loop.shutdownNow();
  }
}
