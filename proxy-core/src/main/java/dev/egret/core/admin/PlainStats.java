package dev.egret.core.admin;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Envoy's plain {@code /stats} form, {@code name: value} per line, sorted by name. Egret's stats are
 * registered with Envoy's Prometheus tags; this folds the tags back into Envoy's dotted names:
 * {@code envoy.cluster.upstream_rq_total{envoy_cluster_name=web}} becomes
 * {@code cluster.web.upstream_rq_total}, {@code envoy_http_conn_manager_prefix} goes after
 * {@code http.}, {@code envoy_listener_address} after {@code listener.}, and
 * {@code envoy_response_code_class=2} turns a trailing {@code _xx} into {@code _2xx}. A tag with no
 * known place goes after the name's first segment. Counters and gauges are listed (integral values
 * as integers); timers and histograms are not.
 */
final class PlainStats {
  private static final String ENVOY_PREFIX = "envoy.";

  private PlainStats() {}

  /** Every stat by its Envoy name; {@code filter} (nullable) keeps names it finds a match in. */
  static Map<String, Double> collect(MeterRegistry registry, Pattern filter) {
    Map<String, Double> out = new TreeMap<>();
    for (Meter m : registry.getMeters()) {
      Double value = value(m);
      if (value == null) {
        continue;
      }
      String name = envoyName(m.getId());
      if (filter == null || filter.matcher(name).find()) {
        out.put(name, value);
      }
    }
    return out;
  }

  static String text(Map<String, Double> stats) {
    StringBuilder sb = new StringBuilder();
    stats.forEach((k, v) -> sb.append(k).append(": ").append(number(v)).append('\n'));
    return sb.toString();
  }

  /** Envoy's {@code /stats?format=json}: {@code {"stats":[{"name":…,"value":…}]}}. */
  static String json(Map<String, Double> stats) {
    StringBuilder sb = new StringBuilder("{\"stats\":[");
    boolean first = true;
    for (Map.Entry<String, Double> e : stats.entrySet()) {
      sb.append(first ? "" : ",").append("{\"name\":");
      Json.string(sb, e.getKey());
      sb.append(",\"value\":").append(number(e.getValue())).append('}');
      first = false;
    }
    return sb.append("]}\n").toString();
  }

  static String envoyName(Meter.Id id) {
    String name = id.getName();
    if (name.startsWith(ENVOY_PREFIX)) {
      name = name.substring(ENVOY_PREFIX.length());
    }
    List<Tag> rest = new ArrayList<>();
    for (Tag t : id.getTagsAsIterable()) {
      switch (t.getKey()) {
        case "envoy_response_code_class" -> {
          if (name.endsWith("_xx")) {
            name = name.substring(0, name.length() - 2) + t.getValue() + "xx";
          } else {
            rest.add(t);
          }
        }
        case "envoy_cluster_name" -> name = afterScope(name, "cluster.", t, rest);
        case "envoy_http_conn_manager_prefix" -> name = afterScope(name, "http.", t, rest);
        case "envoy_listener_address" -> name = afterScope(name, "listener.", t, rest);
        default -> rest.add(t);
      }
    }
    for (Tag t : rest) {
      int dot = name.indexOf('.');
      name = dot < 0 ? name + "." + t.getValue() : name.substring(0, dot + 1) + t.getValue() + name.substring(dot);
    }
    return name;
  }

  private static String afterScope(String name, String scope, Tag t, List<Tag> rest) {
    if (!name.startsWith(scope)) {
      rest.add(t);
      return name;
    }
    return scope + t.getValue() + "." + name.substring(scope.length());
  }

  private static Double value(Meter m) {
    if (m instanceof Gauge g) {
      return g.value();
    }
    if (m instanceof Counter c) {
      return c.count();
    }
    if (m instanceof FunctionCounter c) {
      return c.count();
    }
    return null;
  }

  static String number(double v) {
    if (v == Math.rint(v) && !Double.isInfinite(v) && Math.abs(v) < 9.0e15) {
      return Long.toString((long) v);
    }
    return Double.toString(v);
  }
}
