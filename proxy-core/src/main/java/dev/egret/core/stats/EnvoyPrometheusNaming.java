package dev.egret.core.stats;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.NamingConvention;
import io.micrometer.prometheusmetrics.PrometheusNamingConvention;

/**
 * The naming convention {@link Stats} installs: Micrometer's default Prometheus
 * convention strips a trailing {@code _total} from every name (client_java 1.x reserves it for
 * counters), so the gauge {@code envoy.cluster.upstream_rq_total} is scraped as
 * {@code envoy_cluster_upstream_rq}. This keeps Envoy's names exact: dots and other characters
 * Prometheus does not allow become {@code _}, nothing is stripped.
 */
final class EnvoyPrometheusNaming implements NamingConvention {
  private final PrometheusNamingConvention tags = new PrometheusNamingConvention();

  @Override
  public String name(String name, Meter.Type type, String baseUnit) {
    StringBuilder sb = new StringBuilder(name.length());
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == ':'
          || i > 0 && c >= '0' && c <= '9';
      sb.append(ok ? c : '_');
    }
    return sb.toString();
  }

  @Override
  public String tagKey(String key) {
    return tags.tagKey(key);
  }

  @Override
  public String tagValue(String value) {
    return tags.tagValue(value);
  }
}
