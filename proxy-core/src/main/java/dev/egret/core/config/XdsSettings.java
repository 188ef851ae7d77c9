package dev.egret.core.config;

import static java.util.Objects.requireNonNull;

import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.core.v3.ApiConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.GrpcService;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The bootstrap's {@code dynamic_resources}, compiled: one aggregated (ADS) gRPC stream to a control
 * plane, in state-of-the-world ({@code GRPC}) or incremental ({@code DELTA_GRPC}) form, carrying LDS
 * and/or CDS ({@code lds_config} / {@code cds_config} must be {@code ads: {}}); RDS and EDS follow
 * over the same stream. Anything else (REST, separate non-ADS sources, resource locators) is refused
 * with its field path.
 *
 * @param delta                        {@code api_type: DELTA_GRPC}
 * @param setNodeOnFirstMessageOnly    {@code set_node_on_first_message_only}
 * @param envoyGrpcCluster             {@code envoy_grpc.cluster_name} (a static cluster), or null
 * @param googleGrpcTarget             {@code google_grpc.target_uri}, or null
 * @param initialMetadata              {@code initial_metadata}, in order (key, value)
 * @param lds                          whether {@code lds_config} is set
 * @param cds                          whether {@code cds_config} is set
 * @param initialFetchTimeoutMillis    the larger {@code initial_fetch_timeout} of LDS and CDS
 *                                     (default 15 s; 0 = wait forever)
 * @param callToken                    {@code google_grpc.call_credentials} from a token file, or null
 */
public record XdsSettings(boolean delta, boolean setNodeOnFirstMessageOnly, String envoyGrpcCluster,
    String googleGrpcTarget, List<Map.Entry<String, String>> initialMetadata, boolean lds, boolean cds,
    long initialFetchTimeoutMillis, CallToken callToken) {
  static final long DEFAULT_INITIAL_FETCH_TIMEOUT_MS = 15_000;
  static final String FILE_BASED_METADATA = "envoy.grpc_credentials.file_based_metadata";

  /**
   * Envoy's {@code file_based_metadata} call credentials: every call to the control plane carries
   * {@code header: prefix + <file contents>}, the file read again when it changes (a Kubernetes
   * projected service-account token rotates in place).
   *
   * @param file   the token file ({@code secret_data.filename})
   * @param header the header ({@code header_key}, default {@code authorization})
   * @param prefix what goes before the token ({@code header_prefix}, e.g. {@code "Bearer "})
   */
  public record CallToken(String file, String header, String prefix) {
    public CallToken {
      requireNonNull(file, "file");
      requireNonNull(header, "header");
      requireNonNull(prefix, "prefix");
    }
  }

  public XdsSettings {
    initialMetadata = List.copyOf(initialMetadata);
    if ((envoyGrpcCluster == null) == (googleGrpcTarget == null)) {
      throw new IllegalArgumentException("exactly one of envoyGrpcCluster and googleGrpcTarget");
    }
  }

  /** Compiles a bootstrap's {@code dynamic_resources}; throws with every error found. */
  public static XdsSettings of(Bootstrap b) throws ConfigException {
    requireNonNull(b, "b");
    ConfigPath root = ConfigPath.root("");
    Set<String> statics = new java.util.HashSet<>();
    b.getStaticResources().getClustersList().forEach(c -> statics.add(c.getName()));
    XdsSettings s = compile(b.getDynamicResources(), root.field("dynamic_resources"), statics::contains);
    root.throwIfErrors();
    return s;
  }

  /**
   * Compiles {@code dynamic_resources}; returns null after recording errors at {@code at}.
   *
   * @param staticCluster whether a static cluster of that name exists ({@code envoy_grpc} must name one)
   */
  public static XdsSettings compile(io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap.DynamicResources d,
      ConfigPath at, Predicate<String> staticCluster) {
    int before = at.errorCount();
    Fields.allowOnly(d, at, Set.of("lds_config", "cds_config", "ads_config"));
    long fetch = -1;
    if (d.hasLdsConfig()) {
      fetch = Math.max(fetch, adsSource(d.getLdsConfig(), at.field("lds_config")));
    }
    if (d.hasCdsConfig()) {
      fetch = Math.max(fetch, adsSource(d.getCdsConfig(), at.field("cds_config")));
    }
    if (!d.hasAdsConfig()) {
      at.field("ads_config").error("ads_config is required: Egret speaks ADS only");
      return null;
    }
    ApiConfigSource ads = d.getAdsConfig();
    ConfigPath a = at.field("ads_config");
    Fields.allowOnly(ads, a, Set.of("api_type", "transport_api_version", "grpc_services",
        "set_node_on_first_message_only"));
    boolean delta = false;
    switch (ads.getApiType()) {
      case GRPC -> delta = false;
      case DELTA_GRPC -> delta = true;
      default -> a.field("api_type").error("api_type " + ads.getApiType()
          + " is not supported by Egret (supported: GRPC, DELTA_GRPC)");
    }
    if (ads.getTransportApiVersion() != ApiVersion.V3 && ads.getTransportApiVersion() != ApiVersion.AUTO) {
      a.field("transport_api_version").error("only V3 is supported");
    }
    String cluster = null;
    String target = null;
    CallToken callToken = null;
    List<Map.Entry<String, String>> metadata = new ArrayList<>();
    if (ads.getGrpcServicesCount() != 1) {
      a.field("grpc_services").error("exactly one grpc_service is required, found " + ads.getGrpcServicesCount());
    } else {
      ConfigPath g = a.field("grpc_services").index(0);
      GrpcService gs = ads.getGrpcServices(0);
      Fields.allowOnly(gs, g, Set.of("envoy_grpc", "google_grpc", "initial_metadata", "timeout"));
      if (gs.hasEnvoyGrpc()) {
        ConfigPath e = g.field("envoy_grpc");
        Fields.allowOnly(gs.getEnvoyGrpc(), e, Set.of("cluster_name", "authority"));
        cluster = gs.getEnvoyGrpc().getClusterName();
        if (!staticCluster.test(cluster)) {
          e.field("cluster_name").error("'" + cluster + "' is not a static cluster");
        }
      } else if (gs.hasGoogleGrpc()) {
        ConfigPath e = g.field("google_grpc");
        Fields.allowOnly(gs.getGoogleGrpc(), e, Set.of("target_uri", "stat_prefix", "call_credentials"));
        callToken = callToken(gs.getGoogleGrpc(), e);
        target = gs.getGoogleGrpc().getTargetUri();
        if (target.isEmpty()) {
          e.field("target_uri").error("target_uri is required");
        }
      } else {
        g.error("envoy_grpc or google_grpc is required");
      }
      for (int i = 0; i < gs.getInitialMetadataCount(); i++) {
        HeaderValue h = gs.getInitialMetadata(i);
        ConfigPath m = g.field("initial_metadata").index(i);
        Fields.allowOnly(h, m, Set.of("key", "value"));
        if (h.getKey().isEmpty()) {
          m.field("key").error("key is required");
        }
        metadata.add(Map.entry(h.getKey().toLowerCase(java.util.Locale.ROOT), h.getValue()));
      }
    }
    if (at.errorCount() > before) {
      return null;
    }
    return new XdsSettings(delta, ads.getSetNodeOnFirstMessageOnly(), cluster, target, metadata,
        d.hasLdsConfig(), d.hasCdsConfig(), fetch < 0 ? DEFAULT_INITIAL_FETCH_TIMEOUT_MS : fetch, callToken);
  }

  /**
   * Whether {@code c} is the cluster {@code ads_config} names through {@code envoy_grpc} and its
   * endpoint is a Unix domain socket ({@code pipe}): such a cluster carries only the xDS stream (as
   * pilot-agent's {@code xds-grpc} does), so it is left to the xDS client.
   */
  public static boolean isPipeXdsCluster(Bootstrap b, io.envoyproxy.envoy.config.cluster.v3.Cluster c) {
    if (!b.hasDynamicResources() || b.getDynamicResources().getAdsConfig().getGrpcServicesCount() != 1) {
      return false;
    }
    GrpcService g = b.getDynamicResources().getAdsConfig().getGrpcServices(0);
    if (!g.hasEnvoyGrpc() || !g.getEnvoyGrpc().getClusterName().equals(c.getName())) {
      return false;
    }
    var la = c.getLoadAssignment();
    return la.getEndpointsCount() > 0 && la.getEndpoints(0).getLbEndpointsCount() > 0
        && la.getEndpoints(0).getLbEndpoints(0).getEndpoint().getAddress().hasPipe();
  }

  /**
   * Checks a {@link #isPipeXdsCluster pipe xDS cluster}: one endpoint with a {@code pipe.path}; the
   * settings an HTTP/2 gRPC connection to it can honour; the rest is refused by path.
   */
  public static void checkPipeCluster(io.envoyproxy.envoy.config.cluster.v3.Cluster c, ConfigPath at) {
    Fields.allowOnly(c, at, Set.of("name", "type", "connect_timeout", "load_assignment",
        "typed_extension_protocol_options", "max_requests_per_connection", "upstream_connection_options",
        "circuit_breakers", "alt_stat_name"));
    var la = c.getLoadAssignment();
    ConfigPath l = at.field("load_assignment");
    if (la.getEndpointsCount() != 1 || la.getEndpoints(0).getLbEndpointsCount() != 1) {
      l.field("endpoints").error("a Unix domain socket xDS cluster needs exactly one endpoint");
      return;
    }
    var pipe = la.getEndpoints(0).getLbEndpoints(0).getEndpoint().getAddress().getPipe();
    ConfigPath p = l.field("endpoints").index(0).field("lb_endpoints").index(0).field("endpoint")
        .field("address").field("pipe");
    Fields.allowOnly(pipe, p, Set.of("path", "mode"));
    if (pipe.getPath().isEmpty()) {
      p.field("path").error("path is required");
    }
  }

  /** A config source that must be {@code ads: {}}; returns its initial fetch timeout in ms. */
  private static long adsSource(ConfigSource s, ConfigPath at) {
    Fields.allowOnly(s, at, Set.of("ads", "resource_api_version", "initial_fetch_timeout"));
    if (!s.hasAds()) {
      at.error("Egret takes this over ADS only: set 'ads: {}'");
    }
    if (s.getResourceApiVersion() != ApiVersion.V3 && s.getResourceApiVersion() != ApiVersion.AUTO) {
      at.field("resource_api_version").error("only V3 is supported");
    }
    return s.hasInitialFetchTimeout() ? Addresses.millis(s.getInitialFetchTimeout())
        : DEFAULT_INITIAL_FETCH_TIMEOUT_MS;
  }

  /**
   * {@code google_grpc.call_credentials}: one {@code from_plugin} entry naming
   * {@value #FILE_BASED_METADATA} with a {@code FileBasedMetadataConfig} whose {@code secret_data} is a
   * file. Null when none, or after recording why not.
   */
  private static CallToken callToken(GrpcService.GoogleGrpc g, ConfigPath at) {
    if (g.getCallCredentialsCount() == 0) {
      return null;
    }
    ConfigPath c = at.field("call_credentials");
    if (g.getCallCredentialsCount() > 1) {
      c.error("Egret supports one call credential (file_based_metadata), found " + g.getCallCredentialsCount());
      return null;
    }
    var cred = g.getCallCredentials(0);
    ConfigPath c0 = c.index(0);
    Fields.allowOnly(cred, c0, Set.of("from_plugin"));
    if (!cred.hasFromPlugin()) {
      return null;
    }
    var plugin = cred.getFromPlugin();
    ConfigPath p = c0.field("from_plugin");
    Fields.allowOnly(plugin, p, Set.of("name", "typed_config"));
    if (!plugin.getName().equals(FILE_BASED_METADATA)) {
      p.field("name").error("call credentials plugin '" + plugin.getName() + "' is not supported (only "
          + FILE_BASED_METADATA + ", a token file)");
      return null;
    }
    var cfg = Protos.unpack(plugin.getTypedConfig(),
        io.envoyproxy.envoy.config.grpc_credential.v3.FileBasedMetadataConfig.class, p.field("typed_config"));
    if (cfg == null) {
      return null;
    }
    ConfigPath t = p.field("typed_config");
    Fields.allowOnly(cfg, t, Set.of("secret_data", "header_key", "header_prefix"));
    Fields.allowOnly(cfg.getSecretData(), t.field("secret_data"), Set.of("filename"));
    if (cfg.getSecretData().getFilename().isEmpty()) {
      t.field("secret_data").field("filename").error("a token file (secret_data.filename) is required");
      return null;
    }
    String header = cfg.getHeaderKey().isEmpty() ? "authorization" : cfg.getHeaderKey().toLowerCase(java.util.Locale.ROOT);
    return new CallToken(cfg.getSecretData().getFilename(), header, cfg.getHeaderPrefix());
  }
}
