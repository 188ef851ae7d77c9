package dev.egret.core.stats;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;


/**
 * The stat store. Stats carry Envoy's names and Envoy's Prometheus tag names, so
 * {@code /stats/prometheus} shows {@code envoy_cluster_upstream_rq_total{envoy_cluster_name="x"}} as
 * an Envoy would. Each stat is registered in Micrometer's Prometheus registry as a function gauge
 * over a {@link StatCounter}: Prometheus' text writer in client 1.x appends {@code _total} to every
 * counter, which would rename Envoy's {@code upstream_cx_connect_fail} and friends; gauges keep the
 * names exact, and {@code rate()} works the same on them.
 *
 * <p>Scope objects ({@link ClusterStats}, {@link HttpStats}, {@link ListenerStats}) are created once
 * per name and cached; the data path holds them and increments fields directly.
 */
public final class Stats {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Map<String, ClusterStats> clusters = new ConcurrentHashMap<>();
  private final Map<String, HttpStats> http = new ConcurrentHashMap<>();
  private final Map<String, ListenerStats> listeners = new ConcurrentHashMap<>();
  private final Map<String, StatCounter> server = new ConcurrentHashMap<>();
  private final Map<String, StatCounter> httpExtra = new ConcurrentHashMap<>();
  private final Map<String, TcpStats> tcp = new ConcurrentHashMap<>();

  public Stats() {
    registry.config().namingConvention(new EnvoyPrometheusNaming());
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** Prometheus text exposition of every stat. */
  public String scrape() {
    return registry.scrape();
  }

  public ClusterStats cluster(String name) {
    return clusters.computeIfAbsent(name, n -> new ClusterStats(this, n));
  }

  public HttpStats http(String statPrefix) {
    return http.computeIfAbsent(statPrefix, p -> new HttpStats(this, p));
  }

  /** {@code tcp.<stat_prefix>.*} of a {@code tcp_proxy}. */
  public TcpStats tcp(String statPrefix) {
    return tcp.computeIfAbsent(statPrefix, p -> new TcpStats(this, p));
  }

  public ListenerStats listener(String address) {
    return listeners.computeIfAbsent(address, a -> new ListenerStats(this, a));
  }

  /** A server-wide counter such as {@code access_log.dropped}, exposed as {@code envoy_<name>}. */
  public StatCounter serverCounter(String name) {
    return server.computeIfAbsent(name, n -> counter("envoy." + n, Tags.empty()));
  }

  /**
   * A counter of a connection manager's own scope, such as a filter's {@code rbac.allowed}: exported
   * as {@code envoy_http_<name>{envoy_http_conn_manager_prefix="<prefix>"}}. The same name and prefix
   * always give the same counter.
   */
  public StatCounter httpCounter(String statPrefix, String name) {
    return httpExtra.computeIfAbsent(statPrefix + "\u0000" + name,
        k -> counter("envoy.http." + name, Tags.of("envoy_http_conn_manager_prefix", statPrefix)));
  }

  public Map<String, ClusterStats> clusters() {
    return clusters;
  }

  StatCounter counter(String name, Tags tags) {
    StatCounter c = new StatCounter();
    Gauge.builder(name, c, StatCounter::value).tags(tags).strongReference(true).register(registry);
    return c;
  }

  StatGauge gauge(String name, Tags tags) {
    StatGauge g = new StatGauge();
    Gauge.builder(name, g, StatGauge::value).tags(tags).strongReference(true).register(registry);
    return g;
  }

  /** Five counters {@code <name>{envoy_response_code_class="1".."5"}}, indexed by class. */
  StatCounter[] codeClasses(String name, Tags tags) {
    StatCounter[] out = new StatCounter[6];
    for (int i = 1; i <= 5; i++) {
      out[i] = counter(name, tags.and("envoy_response_code_class", Integer.toString(i)));
    }
    return out;
  }

}
