package dev.egret.core.overload;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.egret.core.config.Addresses;
import dev.egret.core.config.ConfigPath;
import dev.egret.core.config.Fields;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.bootstrap.v3.RuntimeLayer;
import io.envoyproxy.envoy.config.overload.v3.OverloadAction;
import io.envoyproxy.envoy.config.overload.v3.OverloadManager;
import io.envoyproxy.envoy.config.overload.v3.ResourceMonitor;
import io.envoyproxy.envoy.extensions.resource_monitors.downstream_connections.v3.DownstreamConnectionsConfig;
import io.envoyproxy.envoy.extensions.resource_monitors.fixed_heap.v3.FixedHeapConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Compiles the bootstrap's {@code overload_manager} and the connection-limit keys of its
 * {@code layered_runtime} static layers into an {@link OverloadConfig}; every unsupported monitor,
 * action, trigger or runtime key is an error at its field path.
 */
public final class OverloadCompiler {
  public static final String FIXED_HEAP = "envoy.resource_monitors.fixed_heap";
  public static final String GLOBAL_CONNECTIONS = "envoy.resource_monitors.global_downstream_max_connections";
  static final String FIXED_HEAP_TYPE =
      "type.googleapis.com/envoy.extensions.resource_monitors.fixed_heap.v3.FixedHeapConfig";
  static final String GLOBAL_CONNECTIONS_TYPE =
      "type.googleapis.com/envoy.extensions.resource_monitors.downstream_connections.v3.DownstreamConnectionsConfig";
  /** The actions Egret runs. */
  public static final Set<String> ACTIONS = Set.of(OverloadManagerRuntime.STOP_ACCEPTING_REQUESTS,
      OverloadManagerRuntime.STOP_ACCEPTING_CONNECTIONS, OverloadManagerRuntime.REJECT_INCOMING_CONNECTIONS,
      OverloadManagerRuntime.DISABLE_HTTP_KEEPALIVE);
  static final String LISTENER_LIMIT_PREFIX = "envoy.resource_limits.listener.";
  static final String LISTENER_LIMIT_SUFFIX = ".connection_limit";
  static final String GLOBAL_CONNECTIONS_KEY = "overload.global_downstream_max_connections";
  static final String PREMATURE_TOTAL_KEY = "overload.premature_reset_total_stream_count";
  static final String PREMATURE_LIFETIME_KEY = "overload.premature_reset_min_stream_lifetime_seconds";
  /** Envoy implementation flags that have no meaning in Egret: accepted and documented as no-ops. */
  static final List<String> NO_OP_KEY_PREFIXES = List.of("envoy.reloadable_features.", "envoy.restart_features.",
      "envoy.deprecated_features", "re2.max_program_size.");

  private OverloadCompiler() {}

  /**
   * Compiles; {@code listenerNames} are the names a per-listener connection limit may name (null: any,
   * as when listeners also come over LDS).
   * Returns {@link OverloadConfig#DEFAULT}'s values where the bootstrap sets nothing.
   */
  public static OverloadConfig compile(Bootstrap b, ConfigPath root, Set<String> listenerNames) {
    Map<String, Long> listenerLimits = new LinkedHashMap<>();
    long runtimeGlobal = -1;
    long prematureTotal = -1;
    long prematureLifetimeMillis = -1;
    if (b.hasLayeredRuntime()) {
      ConfigPath lr = root.field("layered_runtime");
      Fields.allowOnly(b.getLayeredRuntime(), lr, Set.of("layers"));
      Map<String, Value> keys = new LinkedHashMap<>();
      for (int i = 0; i < b.getLayeredRuntime().getLayersCount(); i++) {
        RuntimeLayer layer = b.getLayeredRuntime().getLayers(i);
        ConfigPath la = lr.field("layers").index(i);
        Fields.allowOnly(layer, la, Set.of("name", "static_layer", "admin_layer"));
        flatten("", layer.getStaticLayer(), keys); // later layers override earlier ones, as in Envoy
      }
      ConfigPath sl = lr.field("layers").field("static_layer");
      for (Map.Entry<String, Value> e : keys.entrySet()) {
        String key = e.getKey();
        ConfigPath ka = sl.field(key);
        if (key.startsWith(LISTENER_LIMIT_PREFIX) && key.endsWith(LISTENER_LIMIT_SUFFIX)
            && key.length() > LISTENER_LIMIT_PREFIX.length() + LISTENER_LIMIT_SUFFIX.length()) {
          String listener = key.substring(LISTENER_LIMIT_PREFIX.length(),
              key.length() - LISTENER_LIMIT_SUFFIX.length());
          long n = count(e.getValue(), ka);
          if (listenerNames != null && !listenerNames.contains(listener)) {
            ka.error("no listener named '" + listener + "'");
          } else if (n >= 0) {
            listenerLimits.put(listener, n);
          }
        } else if (key.equals(GLOBAL_CONNECTIONS_KEY)) {
          runtimeGlobal = count(e.getValue(), ka);
        } else if (key.equals(PREMATURE_TOTAL_KEY)) {
          prematureTotal = count(e.getValue(), ka);
          if (prematureTotal == 0) {
            ka.error("must be at least 1");
          }
        } else if (key.equals(PREMATURE_LIFETIME_KEY)) {
          long seconds = count(e.getValue(), ka);
          prematureLifetimeMillis = seconds < 0 ? -1 : seconds * 1000;
        } else if (NO_OP_KEY_PREFIXES.stream().noneMatch(key::startsWith)) {
          ka.error("runtime key '" + key + "' is not supported by Egret (supported: " + LISTENER_LIMIT_PREFIX
              + "<listener>" + LISTENER_LIMIT_SUFFIX + ", " + GLOBAL_CONNECTIONS_KEY + ", " + PREMATURE_TOTAL_KEY
              + ", " + PREMATURE_LIFETIME_KEY + ")");
        }
      }
    }
    long global = runtimeGlobal >= 0 ? runtimeGlobal : OverloadConfig.DEFAULT_MAX_GLOBAL_CONNECTIONS;
    if (!b.hasOverloadManager()) {
      return new OverloadConfig(1000, 0, global, listenerLimits, Map.of(), prematureTotal, prematureLifetimeMillis);
    }
    OverloadManager om = b.getOverloadManager();
    ConfigPath at = root.field("overload_manager");
    Fields.allowOnly(om, at, Set.of("refresh_interval", "resource_monitors", "actions"));
    long refresh = om.hasRefreshInterval() ? Addresses.millis(om.getRefreshInterval()) : 1000;
    if (refresh <= 0) {
      at.field("refresh_interval").error("must be positive");
    }
    long maxHeap = 0;
    Set<String> monitors = new java.util.HashSet<>();
    for (int i = 0; i < om.getResourceMonitorsCount(); i++) {
      ResourceMonitor m = om.getResourceMonitors(i);
      ConfigPath ma = at.field("resource_monitors").index(i);
      Fields.allowOnly(m, ma, Set.of("name", "typed_config"));
      String type = m.getTypedConfig().getTypeUrl();
      if (!monitors.add(m.getName())) {
        ma.field("name").error("duplicate resource monitor '" + m.getName() + "'");
      }
      try {
        if (type.equals(FIXED_HEAP_TYPE)) {
          FixedHeapConfig c = m.getTypedConfig().unpack(FixedHeapConfig.class);
          Fields.allowOnly(c, ma.field("typed_config"), Set.of("max_heap_size_bytes"));
          if (c.getMaxHeapSizeBytes() <= 0) {
            ma.field("typed_config").field("max_heap_size_bytes").error("must be positive");
          }
          maxHeap = c.getMaxHeapSizeBytes();
          if (!m.getName().equals(FIXED_HEAP)) {
            ma.field("name").error("the fixed_heap monitor must be named " + FIXED_HEAP);
          }
        } else if (type.equals(GLOBAL_CONNECTIONS_TYPE)) {
          DownstreamConnectionsConfig c = m.getTypedConfig().unpack(DownstreamConnectionsConfig.class);
          Fields.allowOnly(c, ma.field("typed_config"), Set.of("max_active_downstream_connections"));
          if (c.getMaxActiveDownstreamConnections() <= 0) {
            ma.field("typed_config").field("max_active_downstream_connections").error("must be positive");
          }
          global = c.getMaxActiveDownstreamConnections();
        } else {
          ma.error("resource monitor '" + m.getName() + "' (" + (type.isEmpty() ? "no typed_config" : type)
              + ") is not supported by Egret (supported: " + FIXED_HEAP + ", " + GLOBAL_CONNECTIONS + ")");
        }
      } catch (InvalidProtocolBufferException e) {
        ma.field("typed_config").error("cannot decode " + type + ": " + e.getMessage());
      }
    }
    Map<String, List<Trigger>> actions = new LinkedHashMap<>();
    for (int i = 0; i < om.getActionsCount(); i++) {
      OverloadAction a = om.getActions(i);
      ConfigPath aa = at.field("actions").index(i);
      Fields.allowOnly(a, aa, Set.of("name", "triggers"));
      if (!ACTIONS.contains(a.getName())) {
        aa.field("name").error("overload action '" + a.getName() + "' is not supported by Egret (supported: "
            + new java.util.TreeSet<>(ACTIONS) + ")");
        continue;
      }
      if (a.getTriggersCount() == 0) {
        aa.field("triggers").error("an overload action needs at least one trigger");
      }
      List<Trigger> triggers = new ArrayList<>();
      for (int j = 0; j < a.getTriggersCount(); j++) {
        Trigger t = trigger(a.getTriggers(j), aa.field("triggers").index(j), monitors);
        if (t != null) {
          triggers.add(t);
        }
      }
      if (actions.put(a.getName(), triggers) != null) {
        aa.field("name").error("duplicate overload action '" + a.getName() + "'");
      }
    }
    return new OverloadConfig(refresh, maxHeap, global, listenerLimits, actions, prematureTotal,
        prematureLifetimeMillis);
  }

  private static Trigger trigger(io.envoyproxy.envoy.config.overload.v3.Trigger t, ConfigPath at,
      Set<String> monitors) {
    Fields.allowOnly(t, at, Set.of("name", "threshold", "scaled"));
    if (!t.getName().equals(FIXED_HEAP) || !monitors.contains(FIXED_HEAP)) {
      at.field("name").error("a trigger must name the configured " + FIXED_HEAP + " monitor, not '"
          + t.getName() + "'");
      return null;
    }
    if (t.hasThreshold()) {
      double v = t.getThreshold().getValue();
      if (v < 0 || v > 1) {
        at.field("threshold").field("value").error("must be within [0, 1]");
        return null;
      }
      return Trigger.threshold(t.getName(), v);
    }
    if (t.hasScaled()) {
      double s = t.getScaled().getScalingThreshold();
      double sat = t.getScaled().getSaturationThreshold();
      if (s < 0 || s > 1 || sat < 0 || sat > 1 || s > sat) {
        at.field("scaled").error("thresholds must be within [0, 1] with scaling_threshold <= saturation_threshold");
        return null;
      }
      return new Trigger(t.getName(), s, sat);
    }
    at.error("a trigger needs threshold or scaled");
    return null;
  }

  /** A non-negative whole number from a runtime value (a number or a numeric string); -1 after an error. */
  private static long count(Value v, ConfigPath at) {
    double d;
    if (v.hasNumberValue()) {
      d = v.getNumberValue();
    } else if (v.hasStringValue()) {
      try {
        d = Double.parseDouble(v.getStringValue());
      } catch (NumberFormatException e) {
        at.error("'" + v.getStringValue() + "' is not a number");
        return -1;
      }
    } else {
      at.error("must be a number");
      return -1;
    }
    if (d < 0 || d != Math.floor(d)) {
      at.error("must be a whole number >= 0");
      return -1;
    }
    return (long) d;
  }

  /** Envoy reads nested static-layer objects as dotted keys. */
  private static void flatten(String prefix, Struct s, Map<String, Value> out) {
    for (Map.Entry<String, Value> e : s.getFieldsMap().entrySet()) {
      String key = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
      if (e.getValue().hasStructValue()) {
        flatten(key, e.getValue().getStructValue(), out);
      } else {
        out.put(key, e.getValue());
      }
    }
  }
}
