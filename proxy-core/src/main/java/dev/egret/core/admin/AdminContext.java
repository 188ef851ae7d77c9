package dev.egret.core.admin;

import com.google.protobuf.Message;
import com.google.protobuf.TypeRegistry;
import dev.egret.core.accesslog.RecentAccessLog;
import dev.egret.core.stats.Stats;
import java.util.List;

/**
 * What the admin server reads from, and asks of, the running proxy. The runtime implements it; every
 * method is called on the admin event loop, once per request, so implementations return current
 * values (read volatile snapshots) and must not block.
 */
public interface AdminContext {

  /** True once every listener is serving (Envoy's {@code LIVE} state); {@code /ready} answers 503 before. */
  boolean isReady();

  /**
   * The current configuration as an {@code envoy.admin.v3.ConfigDump}: a list of {@code Any}s holding
   * {@code BootstrapConfigDump}, {@code ClustersConfigDump}, {@code ListenersConfigDump},
   * {@code RoutesConfigDump}… ({@link ConfigDumps#fromStatic} builds one for a static bootstrap).
   */
  Message configDump();

  /** The stat store rendered by {@code /stats} and {@code /stats/prometheus}. */
  Stats stats();

  /** One entry per cluster for {@code /clusters}, in the order they should be listed. */
  List<ClusterStatus> clusters();

  /**
   * Begins a graceful shutdown; called on the admin event loop once the answer to
   * {@code POST /quitquitquit} is written. Must return promptly: start the shutdown (which may call
   * {@link AdminServer#close()}) and do its waiting on another thread.
   */
  void quit();

  /**
   * Descriptors of extension types carried in {@code Any} fields of the config dump that are not
   * generated classes of the Envoy API jar (for instance Istio's filter configs). Types found neither
   * here nor in the Envoy API jar are printed with their {@code @type} only.
   */
  default TypeRegistry typeRegistry() {
    return TypeRegistry.getEmptyTypeRegistry();
  }

  /** JSON for {@code /server_info}, or null when the runtime offers none (the path then answers 404). */
  default String serverInfoJson() {
    return null;
  }

  /**
   * The recent finished streams served by {@code /access_log}; the default keeps none, so the
   * endpoint answers an empty list.
   */
  default RecentAccessLog recentAccessLog() {
    return RecentAccessLog.DISABLED;
  }
}
