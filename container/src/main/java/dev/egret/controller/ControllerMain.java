package dev.egret.controller;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * {@code egret controller}: runs the {@link WaypointController} in the cluster it runs in (in-cluster
 * service-account credentials, or KUBECONFIG), with leader election over a Lease so two replicas can run
 * and one reconciles. Options: {@code --controller-name NAME}, {@code --image IMAGE},
 * {@code --cluster-domain DOMAIN}, {@code --lease-namespace NS}, {@code --no-leader-election}; the
 * environment gives defaults ({@code EGRET_WAYPOINT_IMAGE}, {@code POD_NAMESPACE}, {@code POD_NAME}).
 */
public final class ControllerMain {

  private ControllerMain() {}

  /** Runs until the JVM is stopped; returns an exit status when the arguments are wrong. */
  public static int run(List<String> args, Map<String, String> env, String defaultImage, PrintStream err) {
    String controllerName = ControllerConfig.DEFAULT_CONTROLLER_NAME;
    String image = env.getOrDefault("EGRET_WAYPOINT_IMAGE", defaultImage);
    String domain = "cluster.local";
    String leaseNamespace = env.getOrDefault("POD_NAMESPACE", "default");
    boolean elect = true;
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      boolean hasValue = i + 1 < args.size();
      switch (a) {
        case "--controller-name" -> controllerName = hasValue ? args.get(++i) : null;
        case "--image" -> image = hasValue ? args.get(++i) : null;
        case "--cluster-domain" -> domain = hasValue ? args.get(++i) : null;
        case "--lease-namespace" -> leaseNamespace = hasValue ? args.get(++i) : null;
        case "--no-leader-election" -> elect = false;
        default -> {
          err.println("egret controller: unknown argument '" + a + "'");
          return 2;
        }
      }
      if (controllerName == null || image == null || domain == null || leaseNamespace == null) {
        err.println("egret controller: " + a + " needs a value");
        return 2;
      }
    }
    ControllerConfig config = new ControllerConfig(controllerName, image, domain);
    String identity = env.getOrDefault("POD_NAME", "egret-controller-" + ProcessHandle.current().pid());
    try (KubernetesClient client = new KubernetesClientBuilder().build();
        WaypointController controller =
            new WaypointController(client, config, WaypointTemplate.fromClasspath(), Clock.systemUTC())) {
      CountDownLatch done = new CountDownLatch(1);
      err.println("egret controller: Gateways of classes with controllerName " + config.controllerName()
          + " at " + client.getMasterUrl() + " (waypoint image " + config.image() + ")");
      if (!elect) {
        controller.start();
        err.println("egret controller: watching");
        done.await();
        return 0;
      }
      client.leaderElector().withConfig(new LeaderElectionConfigBuilder()
          .withName("egret-waypoint-controller")
          .withLock(new LeaseLock(leaseNamespace, "egret-waypoint-controller", identity))
          .withLeaseDuration(Duration.ofSeconds(15))
          .withRenewDeadline(Duration.ofSeconds(10))
          .withRetryPeriod(Duration.ofSeconds(2))
          .withReleaseOnCancel()
          .withLeaderCallbacks(new LeaderCallbacks(controller::start, done::countDown,
              leader -> err.println("egret controller: leader is " + leader)))
          .build()).build().run();
      return 1; // run() returns when leadership is lost: exit, the Deployment restarts us as a follower
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    }
  }
}
