package dev.egret.core.upstream;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.Durations;
import dev.egret.core.config.Addresses;
import dev.egret.core.config.ConfigPath;
import dev.egret.core.config.Fields;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.core.v3.TypedExtensionConfig;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import dev.egret.core.internal.InternalAddress;
import io.envoyproxy.envoy.extensions.transport_sockets.internal_upstream.v3.InternalUpstreamTransport;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.extensions.network.dns_resolver.cares.v3.CaresDnsResolverConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.netty.util.NetUtil;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Compiles an Envoy {@link Cluster} into a {@link ClusterConfig}, reporting every problem with its
 * field path. Anything Egret does not implement is rejected, never ignored: other discovery types
 * (EDS, ORIGINAL_DST, custom cluster types), other LB policies, health checks, success-rate and
 * failure-percentage outlier detection (see {@link OutlierDetection}), locality and priority
 * settings, endpoint metadata, transport-socket matches... {@code common_lb_config} accepts only
 * {@code healthy_panic_threshold}.
 *
 * <p>{@code typed_dns_resolver_config} is accepted for c-ares ({@code envoy.network.dns_resolver.cares})
 * with {@code resolvers} (IP socket addresses; port 0 is 53) and {@code
 * dns_resolver_options.no_default_search_domain}; the cluster then asks those name servers instead of
 * the ones Egret was started with. The deprecated {@code dns_resolvers} field is rejected.
 */
final class ClusterCompiler {
  static final String TLS = "envoy.transport_sockets.tls";
  static final String RAW_BUFFER = "envoy.transport_sockets.raw_buffer";
  static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
  static final int DEFAULT_BUFFER_LIMIT = 1024 * 1024;

  private static final Set<String> CLUSTER_FIELDS = Set.of("name", "alt_stat_name", "type", "circuit_breakers",
      "connect_timeout", "lb_policy", "load_assignment", "dns_refresh_rate", "dns_failure_refresh_rate",
      "respect_dns_ttl", "dns_lookup_family", "typed_extension_protocol_options", "transport_socket",
      "per_connection_buffer_limit_bytes", "common_lb_config", "least_request_lb_config",
      "typed_dns_resolver_config", "outlier_detection", "original_dst_lb_config", "cleanup_interval",
      "eds_cluster_config", "metadata");
  static final String CARES = "envoy.network.dns_resolver.cares";
  static final int DNS_PORT = 53;

  private ClusterCompiler() {}

  /** The compiled config, or null when errors were reported at {@code at}. */
  static ClusterConfig compile(Cluster c, ConfigPath at) {
    int before = at.errorCount();
    Fields.allowOnly(c, at, CLUSTER_FIELDS);
    if (c.getName().isEmpty()) {
      at.field("name").error("a cluster needs a name");
    }
    DiscoveryType type = type(c, at.field("type"));
    Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
    if (c.hasConnectTimeout()) {
      connectTimeout = positive(c.getConnectTimeout(), at.field("connect_timeout"));
    }
    LbPolicy policy = lbPolicy(c, at.field("lb_policy"));
    if (c.hasMetadata()) { // data for internal_upstream passthrough and the config dump
      Fields.allowOnly(c.getMetadata(), at.field("metadata"), Set.of("filter_metadata"));
    }
    OriginalDst originalDst = null;
    if (type == DiscoveryType.ORIGINAL_DST) {
      if (policy != LbPolicy.CLUSTER_PROVIDED) {
        at.field("lb_policy").error("an ORIGINAL_DST cluster needs lb_policy CLUSTER_PROVIDED, was " + c.getLbPolicy());
      }
      if (c.hasLoadAssignment()) {
        at.field("load_assignment").error("an ORIGINAL_DST cluster has no configured endpoints");
      }
      originalDst = OriginalDst.compile(c, at);
    } else {
      if (policy == LbPolicy.CLUSTER_PROVIDED) {
        at.field("lb_policy").error("CLUSTER_PROVIDED needs an ORIGINAL_DST cluster");
      }
      if (c.hasOriginalDstLbConfig()) {
        at.field("original_dst_lb_config").error("only an ORIGINAL_DST cluster takes original_dst_lb_config");
      }
    }
    int choiceCount = LeastRequestBalancer.DEFAULT_CHOICE_COUNT;
    if (c.hasLeastRequestLbConfig()) {
      ConfigPath l = at.field("least_request_lb_config");
      Fields.allowOnly(c.getLeastRequestLbConfig(), l, Set.of("choice_count"));
      if (c.getLeastRequestLbConfig().hasChoiceCount()) {
        long n = Integer.toUnsignedLong(c.getLeastRequestLbConfig().getChoiceCount().getValue());
        if (n < 2 || n > 1000) {
          l.field("choice_count").error("must be between 2 and 1000, was " + n);
        } else {
          choiceCount = (int) n;
        }
      }
    }
    double panic = ClusterConfig.DEFAULT_HEALTHY_PANIC_THRESHOLD;
    if (c.hasCommonLbConfig()) {
      ConfigPath l = at.field("common_lb_config");
      Fields.allowOnly(c.getCommonLbConfig(), l, Set.of("healthy_panic_threshold"));
      if (c.getCommonLbConfig().hasHealthyPanicThreshold()) {
        double v = c.getCommonLbConfig().getHealthyPanicThreshold().getValue();
        if (!(v >= 0 && v <= 100)) {
          l.field("healthy_panic_threshold").error("must be between 0 and 100, was " + v);
        } else {
          panic = v;
        }
      }
    }
    CircuitBreakers.Limits breakers = c.hasCircuitBreakers()
        ? CircuitBreakers.Limits.compile(c.getCircuitBreakers(), at.field("circuit_breakers"))
        : CircuitBreakers.Limits.DEFAULTS;
    OutlierDetection outlier = null;
    if (c.hasOutlierDetection()) {
      outlier = OutlierDetection.compile(c.getOutlierDetection(), at.field("outlier_detection"));
    }
    List<Endpoint> endpoints = endpoints(c, type, at.field("load_assignment"));
    if (type == DiscoveryType.EDS) {
      edsClusterConfig(c, at);
    } else if (c.hasEdsClusterConfig()) {
      at.field("eds_cluster_config").error("eds_cluster_config is only for clusters of type EDS");
    }
    DnsSettings dns = dns(c, at);
    UpstreamHttpProtocol http = UpstreamHttpProtocol.DEFAULT;
    for (Map.Entry<String, Any> e : c.getTypedExtensionProtocolOptionsMap().entrySet()) {
      ConfigPath p = at.field("typed_extension_protocol_options").field(e.getKey());
      if (!e.getKey().equals(UpstreamHttpProtocol.EXTENSION)) {
        p.error("protocol options '" + e.getKey() + "' are not supported by Egret");
        continue;
      }
      UpstreamHttpProtocol compiled = UpstreamHttpProtocol.compile(e.getValue(), p);
      if (compiled != null) {
        http = compiled;
      }
    }
    UpstreamTlsContext tls = null;
    TransportSocket socket = null;
    InternalUpstream internal = null;
    if (c.hasTransportSocket()) {
      socket = c.getTransportSocket();
      if (socket.getTypedConfig().is(InternalUpstreamTransport.class)) {
        ConfigPath ts = at.field("transport_socket");
        Fields.allowOnly(socket, ts, Set.of("name", "typed_config"));
        try {
          internal = InternalUpstream.compile(socket.getTypedConfig().unpack(InternalUpstreamTransport.class),
              ts.field("typed_config"));
        } catch (InvalidProtocolBufferException e) {
          ts.field("typed_config").error("cannot decode " + socket.getTypedConfig().getTypeUrl() + ": " + e.getMessage());
        }
      } else {
        tls = transportSocket(socket, at.field("transport_socket"));
      }
    }
    int bufferLimit = DEFAULT_BUFFER_LIMIT;
    if (c.hasPerConnectionBufferLimitBytes()) {
      long v = Integer.toUnsignedLong(c.getPerConnectionBufferLimitBytes().getValue());
      bufferLimit = (int) Math.min(v, Integer.MAX_VALUE);
    }
    if (at.errorCount() > before) {
      return null;
    }
    return new ClusterConfig(c.getName(), c.getAltStatName(), type, connectTimeout, policy, choiceCount,
        endpoints, dns, http, bufferLimit, socket, tls, c, outlier, panic, breakers, internal, originalDst);
  }

  private static DiscoveryType type(Cluster c, ConfigPath at) {
    return switch (c.getType()) {
      case STATIC -> DiscoveryType.STATIC;
      case STRICT_DNS -> DiscoveryType.STRICT_DNS;
      case LOGICAL_DNS -> DiscoveryType.LOGICAL_DNS;
      case EDS -> DiscoveryType.EDS;
      case ORIGINAL_DST -> DiscoveryType.ORIGINAL_DST;
      case UNRECOGNIZED -> {
        at.error("unknown cluster discovery type " + c.getTypeValue());
        yield DiscoveryType.STATIC;
      }
      default -> {
        at.error("cluster discovery type " + c.getType() + " is not supported by Egret"
            + " (supported: STATIC, STRICT_DNS, LOGICAL_DNS, EDS, ORIGINAL_DST)");
        yield DiscoveryType.STATIC;
      }
    };
  }

  private static LbPolicy lbPolicy(Cluster c, ConfigPath at) {
    return switch (c.getLbPolicy()) {
      case ROUND_ROBIN -> LbPolicy.ROUND_ROBIN;
      case LEAST_REQUEST -> LbPolicy.LEAST_REQUEST;
      case RANDOM -> LbPolicy.RANDOM;
      case CLUSTER_PROVIDED -> LbPolicy.CLUSTER_PROVIDED;
      case UNRECOGNIZED -> {
        at.error("unknown lb_policy " + c.getLbPolicyValue());
        yield LbPolicy.ROUND_ROBIN;
      }
      default -> {
        at.error("lb_policy " + c.getLbPolicy() + " is not supported by Egret"
            + " (supported: ROUND_ROBIN, LEAST_REQUEST, RANDOM, CLUSTER_PROVIDED)");
        yield LbPolicy.ROUND_ROBIN;
      }
    };
  }

  private static List<Endpoint> endpoints(Cluster c, DiscoveryType type, ConfigPath at) {
    List<Endpoint> out = new ArrayList<>();
    if (!c.hasLoadAssignment()) {
      if (type == DiscoveryType.LOGICAL_DNS) {
        at.error("a LOGICAL_DNS cluster needs exactly one endpoint");
      }
      return out;
    }
    if (type == DiscoveryType.EDS) {
      at.error("an EDS cluster takes its endpoints from EDS, not from load_assignment");
      return out;
    }
    return assignment(c.getLoadAssignment(), type, at);
  }

  /** An EDS cluster's {@code eds_cluster_config}: its config source must be ADS (or unset, meaning ADS). */
  private static void edsClusterConfig(Cluster c, ConfigPath at) {
    ConfigPath e = at.field("eds_cluster_config");
    Fields.allowOnly(c.getEdsClusterConfig(), e, Set.of("eds_config", "service_name"));
    if (c.getEdsClusterConfig().hasEdsConfig()) {
      ConfigPath s = e.field("eds_config");
      Fields.allowOnly(c.getEdsClusterConfig().getEdsConfig(), s,
          Set.of("ads", "resource_api_version", "initial_fetch_timeout"));
      if (!c.getEdsClusterConfig().getEdsConfig().hasAds()) {
        s.error("Egret takes EDS over ADS only: eds_config must be 'ads: {}'");
      }
    }
  }

  /**
   * The endpoints of a {@code ClusterLoadAssignment}, as for a cluster of {@code type}; null entries
   * are never returned (bad endpoints are reported at {@code at}).
   */
  static List<Endpoint> assignment(ClusterLoadAssignment la, DiscoveryType type, ConfigPath at) {
    List<Endpoint> out = new ArrayList<>();
    Fields.allowOnly(la, at, Set.of("cluster_name", "endpoints"));
    int count = 0;
    for (int i = 0; i < la.getEndpointsCount(); i++) {
      LocalityLbEndpoints group = la.getEndpoints(i);
      ConfigPath g = at.field("endpoints").index(i);
      if (type == DiscoveryType.EDS) {
        // what control planes put in EDS: the locality (and its weight, which Envoy too ignores without
        // locality_weighted_lb_config) is informational; priorities other than 0 mean failover
        Fields.allowOnly(group, g, Set.of("lb_endpoints", "locality", "load_balancing_weight", "priority"));
        if (group.getPriority() != 0) {
          g.field("priority").error("priority " + group.getPriority() + " is not supported by Egret (only 0)");
        }
      } else {
        Fields.allowOnly(group, g, Set.of("lb_endpoints"));
      }
      for (int j = 0; j < group.getLbEndpointsCount(); j++) {
        count++;
        if (type == DiscoveryType.EDS && excluded(group.getLbEndpoints(j).getHealthStatus())) {
          continue; // Envoy sends no traffic to hosts EDS marks unhealthy, draining or timed out
        }
        Endpoint e = endpoint(group.getLbEndpoints(j), type, g.field("lb_endpoints").index(j));
        if (e != null) {
          out.add(e);
        }
      }
    }
    if (type == DiscoveryType.LOGICAL_DNS && (la.getEndpointsCount() != 1 || count != 1)) {
      at.error("a LOGICAL_DNS cluster needs exactly one locality with exactly one lb_endpoint, found "
          + la.getEndpointsCount() + " localities and " + count + " endpoints");
    }
    return out;
  }

  private static boolean excluded(io.envoyproxy.envoy.config.core.v3.HealthStatus h) {
    return switch (h) {
      case UNHEALTHY, DRAINING, TIMEOUT -> true;
      default -> false;
    };
  }

  private static Endpoint endpoint(LbEndpoint lb, DiscoveryType type, ConfigPath at) {
    Fields.allowOnly(lb, at, Set.of("endpoint", "load_balancing_weight", "metadata", "health_status"));
    long weight = 1;
    if (lb.hasLoadBalancingWeight()) {
      weight = Integer.toUnsignedLong(lb.getLoadBalancingWeight().getValue());
      if (weight < 1 || weight > Integer.MAX_VALUE) {
        at.field("load_balancing_weight").error("must be between 1 and " + Integer.MAX_VALUE + ", was " + weight);
      }
    }
    if (lb.getHealthStatus() != io.envoyproxy.envoy.config.core.v3.HealthStatus.UNKNOWN
        && lb.getHealthStatus() != io.envoyproxy.envoy.config.core.v3.HealthStatus.HEALTHY) {
      at.field("health_status").error("only HEALTHY (or unset) endpoints are supported, was " + lb.getHealthStatus());
    }
    Map<String, com.google.protobuf.Struct> metadata = Map.of();
    if (lb.hasMetadata()) {
      Fields.allowOnly(lb.getMetadata(), at.field("metadata"), Set.of("filter_metadata"));
      metadata = lb.getMetadata().getFilterMetadataMap();
    }
    if (!lb.hasEndpoint()) {
      at.field("endpoint").error("endpoint is required");
      return null;
    }
    ConfigPath e = at.field("endpoint");
    Fields.allowOnly(lb.getEndpoint(), e, type == DiscoveryType.EDS
        ? Set.of("address", "health_check_config", "hostname") : Set.of("address", "health_check_config"));
    if (lb.getEndpoint().hasHealthCheckConfig()) {
      // Istio sends an empty one; anything set would ask for active health checks, which Egret lacks
      Fields.allowOnly(lb.getEndpoint().getHealthCheckConfig(), e.field("health_check_config"), Set.of());
    }
    ConfigPath a = e.field("address");
    Address address = lb.getEndpoint().getAddress();
    if (address.hasEnvoyInternalAddress()) {
      Fields.allowOnly(address, a, Set.of("envoy_internal_address"));
      if (type == DiscoveryType.STRICT_DNS || type == DiscoveryType.LOGICAL_DNS) {
        a.error("envoy_internal_address endpoints cannot be resolved by DNS; use a STATIC or EDS cluster");
        return null;
      }
      var ia = address.getEnvoyInternalAddress();
      ConfigPath ip = a.field("envoy_internal_address");
      Fields.allowOnly(ia, ip, Set.of("server_listener_name", "endpoint_id"));
      if (ia.getServerListenerName().isEmpty()) {
        ip.field("server_listener_name").error("server_listener_name is required");
        return null;
      }
      if (weight < 1 || weight > Integer.MAX_VALUE) {
        return null;
      }
      return new Endpoint("", 0, (int) weight,
          new InternalAddress(ia.getServerListenerName(), ia.getEndpointId()), metadata);
    }
    if (!lb.getEndpoint().hasAddress() || !address.hasSocketAddress()) {
      Fields.allowOnly(address, a, Set.of("socket_address", "envoy_internal_address"));
      a.field("socket_address").error("socket_address (or envoy_internal_address) is required");
      return null;
    }
    Fields.allowOnly(address, a, Set.of("socket_address"));
    ConfigPath s = a.field("socket_address");
    SocketAddress sa = address.getSocketAddress();
    int errors = s.errorCount();
    Fields.allowOnly(sa, s, Set.of("address", "port_value"));
    String host = sa.getAddress();
    if (host.isEmpty()) {
      s.field("address").error("address is required");
    } else if ((type == DiscoveryType.STATIC || type == DiscoveryType.EDS) && !NetUtil.isValidIpV4Address(host) && !NetUtil.isValidIpV6Address(host)) {
      s.field("address").error("'" + host + "' is not an IP address; " + type + " cluster endpoints must be IP"
          + " addresses (use STRICT_DNS or LOGICAL_DNS for DNS names)");
    }
    int port = sa.getPortValue();
    if (port == 0) {
      s.field("port_value").error("port_value is required");
    } else if (port < 0 || port > 65535) {
      s.field("port_value").error("port " + Integer.toUnsignedLong(port) + " is out of range");
    }
    if (s.errorCount() > errors || weight < 1 || weight > Integer.MAX_VALUE) {
      return null;
    }
    return new Endpoint(host, port, (int) weight, null, metadata);
  }

  private static DnsSettings dns(Cluster c, ConfigPath at) {
    Duration refresh = DnsSettings.DEFAULT_REFRESH_RATE;
    if (c.hasDnsRefreshRate()) {
      refresh = positive(c.getDnsRefreshRate(), at.field("dns_refresh_rate"));
    }
    Duration base = refresh;
    Duration max = refresh;
    if (c.hasDnsFailureRefreshRate()) {
      ConfigPath f = at.field("dns_failure_refresh_rate");
      Cluster.RefreshRate r = c.getDnsFailureRefreshRate();
      Fields.allowOnly(r, f, Set.of("base_interval", "max_interval"));
      if (!r.hasBaseInterval()) {
        f.field("base_interval").error("base_interval is required");
      } else {
        base = positive(r.getBaseInterval(), f.field("base_interval"));
        max = base.multipliedBy(10);
        if (r.hasMaxInterval()) {
          max = positive(r.getMaxInterval(), f.field("max_interval"));
          if (max.compareTo(base) < 0) {
            f.field("max_interval").error("must not be less than base_interval");
            max = base;
          }
        }
      }
    }
    DnsLookupFamily family = switch (c.getDnsLookupFamily()) {
      case AUTO -> DnsLookupFamily.AUTO;
      case V4_ONLY -> DnsLookupFamily.V4_ONLY;
      case V6_ONLY -> DnsLookupFamily.V6_ONLY;
      case V4_PREFERRED -> DnsLookupFamily.V4_PREFERRED;
      case ALL -> DnsLookupFamily.ALL;
      default -> {
        at.field("dns_lookup_family").error("unknown dns_lookup_family " + c.getDnsLookupFamilyValue());
        yield DnsLookupFamily.AUTO;
      }
    };
    List<InetSocketAddress> resolvers = List.of();
    boolean searchDomains = true;
    if (c.hasTypedDnsResolverConfig()) {
      ConfigPath r = at.field("typed_dns_resolver_config");
      CaresDnsResolverConfig cares = cares(c.getTypedDnsResolverConfig(), r);
      if (cares != null) {
        resolvers = resolvers(cares, r.field("typed_config"));
        searchDomains = !cares.getDnsResolverOptions().getNoDefaultSearchDomain();
      }
    }
    return new DnsSettings(refresh, base, max, c.getRespectDnsTtl(), family, resolvers, searchDomains);
  }

  /** The c-ares config of {@code typed_dns_resolver_config}, or null after recording errors. */
  private static CaresDnsResolverConfig cares(TypedExtensionConfig t, ConfigPath at) {
    Fields.allowOnly(t, at, Set.of("name", "typed_config"));
    if (!t.hasTypedConfig() || !t.getTypedConfig().is(CaresDnsResolverConfig.class)) {
      String type = t.hasTypedConfig() ? t.getTypedConfig().getTypeUrl() : "no typed_config";
      at.field("typed_config").error("DNS resolver '" + t.getName() + "' (" + type + ") is not supported by"
          + " Egret (supported: " + CARES + " with a CaresDnsResolverConfig)");
      return null;
    }
    try {
      return t.getTypedConfig().unpack(CaresDnsResolverConfig.class);
    } catch (InvalidProtocolBufferException e) {
      at.field("typed_config").error("cannot decode " + t.getTypedConfig().getTypeUrl() + ": " + e.getMessage());
      return null;
    }
  }

  /** The name servers of a c-ares config (port 0 meaning 53); errors at {@code at}. */
  private static List<InetSocketAddress> resolvers(CaresDnsResolverConfig cares, ConfigPath at) {
    Fields.allowOnly(cares, at, Set.of("resolvers", "dns_resolver_options"));
    Fields.allowOnly(cares.getDnsResolverOptions(), at.field("dns_resolver_options"),
        Set.of("no_default_search_domain"));
    List<InetSocketAddress> out = new ArrayList<>();
    for (int i = 0; i < cares.getResolversCount(); i++) {
      InetSocketAddress a = Addresses.ipSocketAddress(cares.getResolvers(i), at.field("resolvers").index(i));
      if (a != null) {
        out.add(a.getPort() == 0 ? new InetSocketAddress(a.getAddress(), DNS_PORT) : a);
      }
    }
    return out;
  }

  /** The UpstreamTlsContext of a TLS socket, null for raw_buffer; errors at {@code at}. */
  private static UpstreamTlsContext transportSocket(TransportSocket ts, ConfigPath at) {
    Fields.allowOnly(ts, at, Set.of("name", "typed_config"));
    if (!ts.hasTypedConfig()) {
      if (ts.getName().equals(TLS)) {
        at.field("typed_config").error("the TLS transport socket needs an UpstreamTlsContext typed_config");
      } else if (!ts.getName().equals(RAW_BUFFER)) {
        at.field("name").error("transport socket '" + ts.getName() + "' is not supported by Egret"
            + " (supported: " + TLS + ", " + RAW_BUFFER + ")");
      }
      return null;
    }
    Any any = ts.getTypedConfig();
    ConfigPath t = at.field("typed_config");
    try {
      if (any.is(UpstreamTlsContext.class)) {
        return any.unpack(UpstreamTlsContext.class);
      }
      if (any.is(RawBuffer.class)) {
        Fields.allowOnly(any.unpack(RawBuffer.class), t, Set.of());
        return null;
      }
    } catch (InvalidProtocolBufferException e) {
      t.error("cannot decode " + any.getTypeUrl() + ": " + e.getMessage());
      return null;
    }
    t.error("transport socket type '" + any.getTypeUrl() + "' is not supported by Egret (supported: "
        + "UpstreamTlsContext, RawBuffer)");
    return null;
  }

  private static Duration positive(com.google.protobuf.Duration d, ConfigPath at) {
    if (!Durations.isValid(d) || Durations.toNanos(d) <= 0) {
      at.error("must be a positive duration, was " + Durations.toString(Durations.isValid(d) ? d
          : com.google.protobuf.Duration.getDefaultInstance()));
      return Duration.ofMillis(1);
    }
    return Duration.ofNanos(Durations.toNanos(d));
  }
}
