package dev.egret.xds;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.rpc.Status;
import dev.egret.core.config.ConfigError;
import dev.egret.core.config.ConfigException;
import dev.egret.core.config.XdsSettings;
import dev.egret.core.dynamic.ResourceManager;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One ADS stream to a control plane, state of the world or delta, feeding a {@link ResourceManager}.
 *
 * <p>Subscriptions: CDS and LDS are wildcard (when the bootstrap configures them); EDS follows the
 * EDS clusters the manager holds, RDS the route names its listeners reference, both re-sent whenever
 * an applied update changes them. Each response is decoded and handed to the manager whole: when it
 * is accepted the client ACKs ({@code version_info} and {@code response_nonce}); when anything in it
 * is rejected nothing changes and the client NACKs with the previous version and an
 * {@code error_detail} listing every rejected resource and field path.
 *
 * <p>When the stream fails the last good configuration keeps serving; the client reconnects after an
 * exponential back-off with jitter and resubscribes with what it holds (the last accepted versions in
 * state of the world, {@code initial_resource_versions} in delta). {@code /ready} turns 200
 * ({@link ResourceManager#markInitialized()}) once the first LDS and CDS responses, and the EDS and RDS
 * they lead to, have arrived, or when {@code initial_fetch_timeout} passes.
 *
 * <p>All state is confined to one thread of the client's own.
 */
public final class AdsClient implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(AdsClient.class.getName());
  private static final String RESOURCE_WRAPPER = "type.googleapis.com/" + Resource.getDescriptor().getFullName();

  /** What the client knows of one resource type on the current and past streams. */
  private static final class TypeState {
    final Set<String> names = new TreeSet<>(); // named types: the subscription
    final Set<String> known = new HashSet<>(); // state of the world: names held (for removals)
    final Map<String, String> versions = new HashMap<>(); // delta: name → version held
    String version = ""; // state of the world: last accepted version_info
    String nonce = "";
    boolean received;
    boolean requested; // a request went out on the current stream
  }

  private final ResourceManager rm;
  private final XdsSettings settings;
  private final Node node;
  private final io.grpc.Channel channel;
  private final Runnable shutdown;
  private final ScheduledExecutorService exec;
  private final Backoff backoff;
  private final Map<ResourceType, TypeState> states = new EnumMap<>(ResourceType.class);
  private StreamObserver<DiscoveryRequest> sotw;
  private StreamObserver<DeltaDiscoveryRequest> delta;
  private int streamId;
  private boolean nodeSent;
  private boolean closed;
  private volatile boolean connected;
  private volatile String lastNack = "";
  private volatile int acks;
  private volatile int nacks;

  /**
   * @param channel  the channel to the control plane (with any call metadata attached)
   * @param shutdown releases the channel; run on {@link #close()}
   */
  public AdsClient(XdsSettings settings, Node node, io.grpc.Channel channel, Runnable shutdown,
      ResourceManager rm, long backoffBaseMillis, long backoffMaxMillis) {
    this.settings = requireNonNull(settings, "settings");
    this.node = requireNonNull(node, "node");
    this.channel = requireNonNull(channel, "channel");
    this.shutdown = requireNonNull(shutdown, "shutdown");
    this.rm = requireNonNull(rm, "rm");
    this.backoff = new Backoff(backoffBaseMillis, backoffMaxMillis, ThreadLocalRandom.current());
    this.exec = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "egret-xds");
      t.setDaemon(true);
      return t;
    });
    for (ResourceType t : ResourceType.values()) {
      states.put(t, new TypeState());
    }
    io.micrometer.core.instrument.Gauge.builder("envoy.control_plane.connected_state", this, c -> c.connected ? 1 : 0)
        .strongReference(false).register(rm.stats().registry());
  }

  /** Opens the stream (asynchronously) and arms the initial fetch timeout. */
  public void start() {
    long timeout = settings.initialFetchTimeoutMillis();
    rm.setWarmingMillis(timeout);
    exec.execute(this::connect);
    if (timeout > 0) {
      exec.schedule(() -> {
        if (!rm.isInitialized()) {
          LOG.warning("xDS initial fetch not complete after " + timeout + " ms: serving what has arrived");
          rm.markInitialized();
        }
      }, timeout, TimeUnit.MILLISECONDS);
    }
  }

  /** Whether the stream has delivered a response since it was last (re)opened. */
  public boolean connected() {
    return connected;
  }

  /** The last NACK's error detail, empty if none. */
  public String lastNack() {
    return lastNack;
  }

  public int acks() {
    return acks;
  }

  public int nacks() {
    return nacks;
  }

  private boolean enabled(ResourceType t) {
    return switch (t) {
      case CLUSTER -> settings.cds();
      case LISTENER -> settings.lds();
      default -> !states.get(t).names.isEmpty();
    };
  }

  // ------------------------------------------------------------------------------ stream handling

  private void connect() {
    if (closed) {
      return;
    }
    int id = ++streamId;
    nodeSent = false;
    states.values().forEach(s -> {
      s.nonce = "";
      s.requested = false;
    });
    var stub = AggregatedDiscoveryServiceGrpc.newStub(channel);
    if (settings.delta()) {
      delta = stub.deltaAggregatedResources(observer(id, this::onDelta));
    } else {
      sotw = stub.streamAggregatedResources(observer(id, this::onSotw));
    }
    for (ResourceType t : ResourceType.values()) {
      if (enabled(t)) {
        subscribe(t);
      }
    }
  }

  private <T> StreamObserver<T> observer(int id, Consumer<T> handler) {
    return new StreamObserver<>() {
      @Override
      public void onNext(T value) {
        run(id, () -> handler.accept(value));
      }

      @Override
      public void onError(Throwable t) {
        run(id, () -> streamEnded(t.toString()));
      }

      @Override
      public void onCompleted() {
        run(id, () -> streamEnded("closed by the control plane"));
      }
    };
  }

  private void run(int id, Runnable r) {
    try {
      exec.execute(() -> {
        if (id == streamId && !closed) {
          try {
            r.run();
          } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "xDS: handling a message failed", e);
          }
        }
      });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // closed
    }
  }

  private void streamEnded(String why) {
    connected = false;
    sotw = null;
    delta = null;
    streamId++; // ignore anything more from the old stream
    long wait = backoff.nextMillis();
    LOG.info("xDS stream ended (" + why + "); keeping the last good configuration, reconnecting in " + wait + " ms");
    exec.schedule(this::connect, wait, TimeUnit.MILLISECONDS);
  }

  private Node nodeOnce() {
    if (nodeSent && settings.setNodeOnFirstMessageOnly()) {
      return null;
    }
    nodeSent = true;
    return node;
  }

  /** The first request for a type on this stream (or a changed subscription of a named type). */
  private void subscribe(ResourceType t) {
    TypeState s = states.get(t);
    if (settings.delta()) {
      DeltaDiscoveryRequest.Builder b = DeltaDiscoveryRequest.newBuilder().setTypeUrl(t.typeUrl);
      Node n = nodeOnce();
      if (n != null) {
        b.setNode(n);
      }
      if (!t.wildcard) {
        b.addAllResourceNamesSubscribe(s.names);
      }
      b.putAllInitialResourceVersions(s.versions);
      delta.onNext(b.build());
    } else {
      sendSotw(t, null);
    }
    s.requested = true;
  }

  private void sendSotw(ResourceType t, Status error) {
    TypeState s = states.get(t);
    DiscoveryRequest.Builder b = DiscoveryRequest.newBuilder().setTypeUrl(t.typeUrl)
        .setVersionInfo(s.version).setResponseNonce(s.nonce);
    Node n = nodeOnce();
    if (n != null) {
      b.setNode(n);
    }
    if (!t.wildcard) {
      b.addAllResourceNames(s.names);
    }
    if (error != null) {
      b.setErrorDetail(error);
    }
    sotw.onNext(b.build());
  }

  // ------------------------------------------------------------------------------ state of the world

  private void onSotw(DiscoveryResponse r) {
    connected = true;
    backoff.reset();
    ResourceType t = ResourceType.of(r.getTypeUrl());
    if (t == null) {
      LOG.warning("xDS: ignoring a response of unsubscribed type " + r.getTypeUrl());
      return;
    }
    TypeState s = states.get(t);
    List<ConfigError> errors = new ArrayList<>();
    Map<String, Message> upserts = new LinkedHashMap<>();
    for (int i = 0; i < r.getResourcesCount(); i++) {
      Message m = decode(t, r.getResources(i), "resources[" + i + "]", errors);
      if (m != null && upserts.put(ResourceType.nameOf(m), m) != null) {
        errors.add(new ConfigError("resources[" + i + "]", ResourceType.nameOf(m), "duplicate resource name"));
      }
    }
    Set<String> removed = new HashSet<>();
    if (t.wildcard) {
      removed.addAll(s.known);
      removed.removeAll(upserts.keySet());
    } else {
      upserts.keySet().retainAll(s.names); // state of the world may carry more than was asked
    }
    s.nonce = r.getNonce();
    s.received = true;
    Status nack = apply(t, upserts, removed, r.getVersionInfo(), Map.of(), errors);
    if (nack == null) {
      s.version = r.getVersionInfo();
      if (t.wildcard) {
        s.known.clear();
        s.known.addAll(upserts.keySet());
      }
    }
    sendSotw(t, nack);
    followReferences();
  }

  // ------------------------------------------------------------------------------------------ delta

  private void onDelta(DeltaDiscoveryResponse r) {
    connected = true;
    backoff.reset();
    ResourceType t = ResourceType.of(r.getTypeUrl());
    if (t == null) {
      LOG.warning("xDS: ignoring a delta response of unsubscribed type " + r.getTypeUrl());
      return;
    }
    TypeState s = states.get(t);
    List<ConfigError> errors = new ArrayList<>();
    Map<String, Message> upserts = new LinkedHashMap<>();
    Map<String, String> versions = new HashMap<>();
    for (int i = 0; i < r.getResourcesCount(); i++) {
      Resource res = r.getResources(i);
      Message m = decode(t, res.getResource(), "resources[" + i + "].resource", errors);
      if (m != null) {
        String name = res.getName().isEmpty() ? ResourceType.nameOf(m) : res.getName();
        upserts.put(name, m);
        versions.put(name, res.getVersion());
      }
    }
    Set<String> removed = new HashSet<>(r.getRemovedResourcesList());
    s.received = true;
    Status nack = apply(t, upserts, removed, r.getSystemVersionInfo(), versions, errors);
    if (nack == null) {
      s.versions.putAll(versions);
      removed.forEach(s.versions::remove);
    }
    DeltaDiscoveryRequest.Builder b = DeltaDiscoveryRequest.newBuilder().setTypeUrl(t.typeUrl)
        .setResponseNonce(r.getNonce());
    if (nack != null) {
      b.setErrorDetail(nack);
    }
    delta.onNext(b.build());
    followReferences();
  }

  // ------------------------------------------------------------------------------------------ shared

  private static Message decode(ResourceType t, Any any, String at, List<ConfigError> errors) {
    try {
      if (any.getTypeUrl().equals(RESOURCE_WRAPPER)) {
        any = any.unpack(Resource.class).getResource();
      }
      if (!any.getTypeUrl().equals(t.typeUrl)) {
        errors.add(new ConfigError(at, "", "type " + any.getTypeUrl() + " in a response for " + t.typeUrl));
        return null;
      }
      return any.unpack(t.messageClass);
    } catch (InvalidProtocolBufferException e) {
      errors.add(new ConfigError(at, "", "cannot decode: " + e.getMessage()));
      return null;
    }
  }

  /** Applies an update; returns null when accepted, else the NACK's error detail. */
  private Status apply(ResourceType t, Map<String, Message> upserts, Set<String> removed, String version,
      Map<String, String> resourceVersions, List<ConfigError> decodeErrors) {
    List<ConfigError> errors = new ArrayList<>(decodeErrors);
    if (errors.isEmpty()) {
      try {
        t.apply(rm, upserts, removed, version, resourceVersions);
        acks++;
        rm.stats().serverCounter(t.statScope + ".update_success").inc();
        return null;
      } catch (ConfigException e) {
        errors.addAll(e.errors());
      } catch (RuntimeException e) {
        errors.add(new ConfigError("", "", "applying the update failed: " + e));
      }
    }
    rm.stats().serverCounter(t.statScope + ".update_rejected").inc();
    String message = new ConfigException(errors).getMessage();
    lastNack = message;
    nacks++;
    LOG.warning("xDS: rejected " + t.typeUrl + " version " + version + ":\n" + message);
    return Status.newBuilder().setCode(io.grpc.Status.Code.INVALID_ARGUMENT.value()).setMessage(message).build();
  }

  /** Re-subscribes EDS and RDS to what the accepted clusters and listeners now reference. */
  private void followReferences() {
    follow(ResourceType.ENDPOINT, rm.endpointNames());
    follow(ResourceType.ROUTE, rm.routeNames());
    if (!rm.isInitialized()
        && (!settings.cds() || states.get(ResourceType.CLUSTER).received)
        && (!settings.lds() || states.get(ResourceType.LISTENER).received)
        && rm.snapshot().warmingClusters().isEmpty() && rm.snapshot().warmingListeners().isEmpty()
        && receivedOrNone(ResourceType.ENDPOINT) && receivedOrNone(ResourceType.ROUTE)) {
      rm.markInitialized();
    }
  }

  private boolean receivedOrNone(ResourceType t) {
    return states.get(t).names.isEmpty() || states.get(t).received;
  }

  private void follow(ResourceType t, Set<String> wanted) {
    TypeState s = states.get(t);
    if (s.names.equals(wanted)) {
      return;
    }
    Set<String> added = new TreeSet<>(wanted);
    added.removeAll(s.names);
    Set<String> gone = new TreeSet<>(s.names);
    gone.removeAll(wanted);
    s.names.clear();
    s.names.addAll(wanted);
    gone.forEach(s.versions::remove);
    if (settings.delta()) {
      if (delta == null) {
        return;
      }
      DeltaDiscoveryRequest.Builder b = DeltaDiscoveryRequest.newBuilder().setTypeUrl(t.typeUrl)
          .addAllResourceNamesSubscribe(added).addAllResourceNamesUnsubscribe(gone);
      Node n = nodeOnce();
      if (n != null) {
        b.setNode(n);
      }
      delta.onNext(b.build());
      s.requested = true;
    } else if (sotw != null) {
      sendSotw(t, null);
      s.requested = true;
    }
  }

  @Override
  public void close() {
    try {
      exec.submit(() -> {
        closed = true;
        if (sotw != null) {
          sotw.onCompleted();
        }
        if (delta != null) {
          delta.onCompleted();
        }
      }).get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      // closing anyway
    }
    exec.shutdownNow();
    shutdown.run();
  }
}
