package dev.egret.core.listener;

import dev.egret.core.config.Addresses;
import dev.egret.core.config.ConfigPath;
import dev.egret.core.config.Protos;
import dev.egret.core.config.Fields;
import dev.egret.core.http.HcmConfig;
import dev.egret.core.stats.Stats;
import dev.egret.core.tls.DownstreamTls;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChainMatch;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import dev.egret.core.network.NetworkFilterContext;
import dev.egret.core.network.NetworkFilterFactory;
import dev.egret.core.network.NetworkFilterProvider;
import dev.egret.core.network.NetworkFilterRegistry;
import dev.egret.core.network.TerminalFilter;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslHandler;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;

/** Compiles an Envoy {@code Listener} into a {@link ListenerConfig}. */
public final class ListenerCompiler {
  static final String HCM_TYPE =
      "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager";
  static final String TCP_PROXY_TYPE =
      "type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy";
  static final String TLS_INSPECTOR_TYPE =
      "type.googleapis.com/envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector";
  static final String DOWNSTREAM_TLS_TYPE =
      "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext";
  static final String RAW_BUFFER_TYPE =
      "type.googleapis.com/envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer";
  static final int DEFAULT_BUFFER_LIMIT = 1024 * 1024;

  /** Compiles an {@code HttpConnectionManager} for a filter chain. */
  public interface HcmCompiler {
    HcmConfig compile(HttpConnectionManager hcm, ConfigPath at);
  }

  /** Compiles a {@code tcp_proxy} for a filter chain into its terminal filter. */
  public interface TcpProxyCompiler {
    /** Returns null after recording errors in {@code at}. */
    TerminalFilter compile(TcpProxy proxy, ConfigPath at);
  }

  /** What compiles a chain's network filters besides the HTTP connection manager. */
  public record NetworkFilters(TcpProxyCompiler tcpProxies, NetworkFilterRegistry registry, Stats stats) {
    public NetworkFilters {
      java.util.Objects.requireNonNull(tcpProxies, "tcpProxies");
      java.util.Objects.requireNonNull(registry, "registry");
      java.util.Objects.requireNonNull(stats, "stats");
    }
  }

  private ListenerCompiler() {}

  /**
   * Compiles with the network filter providers on the class path and without {@code tcp_proxy}
   * (rejected with its field path).
   */
  public static ListenerConfig compile(Listener l, ConfigPath at, Stats stats, HcmCompiler hcms) {
    TcpProxyCompiler noTcp = (p, pa) -> {
      pa.error("tcp_proxy is not available in this context");
      return null;
    };
    return compile(l, at, stats, hcms, new NetworkFilters(noTcp, NetworkFilterRegistry.load(), stats));
  }

  /** Returns null after recording errors in {@code at}. */
  public static ListenerConfig compile(Listener l, ConfigPath at, Stats stats, HcmCompiler hcms,
      NetworkFilters network) {
    int errorsBefore = at.errorCount();
    Fields.allowOnly(l, at, Set.of("name", "address", "filter_chains", "default_filter_chain",
        "listener_filters", "per_connection_buffer_limit_bytes", "stat_prefix", "internal_listener",
        "use_original_dst", "filter_chain_matcher", "listener_filters_timeout",
        "continue_on_listener_filters_timeout", "traffic_direction"));
    if (l.getName().isEmpty()) {
      at.field("name").error("a listener needs a name");
    }
    if (l.hasUseOriginalDst() && l.getUseOriginalDst().getValue()) {
      at.field("use_original_dst").error("use_original_dst (iptables redirection) is not supported; "
          + "use the envoy.filters.listener.original_dst listener filter");
    }
    boolean internal = l.hasInternalListener();
    if (internal) {
      Fields.allowOnly(l.getInternalListener(), at.field("internal_listener"), Set.of());
      if (l.hasAddress()) {
        at.field("address").error("an internal listener (internal_listener) has no address");
      }
    }
    InetSocketAddress address = l.hasAddress() ? Addresses.ipSocketAddress(l.getAddress(), at.field("address")) : null;
    if (!l.hasAddress() && !internal) {
      at.field("address").error("a listener needs an address (or internal_listener: {})");
    }
    ListenerFilters listenerFilters = ListenerFilterCompiler.compile(l, at, stats);
    List<FilterChain> chains = new ArrayList<>();
    for (int i = 0; i < l.getFilterChainsCount(); i++) {
      FilterChain fc = chain(l.getFilterChains(i), at.field("filter_chains").index(i), hcms, network);
      if (fc != null) {
        chains.add(fc);
      }
    }
    FilterChain defaultChain = null;
    if (l.hasDefaultFilterChain()) {
      defaultChain = chain(l.getDefaultFilterChain(), at.field("default_filter_chain"), hcms, network);
    }
    if (l.getFilterChainsCount() == 0 && !l.hasDefaultFilterChain()) {
      at.field("filter_chains").error("a listener needs at least one filter chain");
    }
    FilterChainMatcher matcher = null;
    if (l.hasFilterChainMatcher()) {
      matcher = FilterChainMatcherCompiler.compile(l.getFilterChainMatcher(), at.field("filter_chain_matcher"),
          chainNames(l, at));
    }
    ChainSelector selector = new ChainSelector(chains, defaultChain, matcher);
    if (matcher == null && selector.needsClientHello() && !listenerFilters.has(TlsInspectorStage.class)) {
      at.field("listener_filters").error("filter_chain_match on server_names, transport_protocol or "
          + "application_protocols needs the envoy.filters.listener.tls_inspector listener filter");
    }
    if (at.errorCount() > errorsBefore) {
      return null;
    }
    int limit = l.hasPerConnectionBufferLimitBytes() ? l.getPerConnectionBufferLimitBytes().getValue() : DEFAULT_BUFFER_LIMIT;
    String statName = internal ? l.getName() : address.getAddress().getHostAddress() + "_" + address.getPort();
    return new ListenerConfig(l.getName(), address, selector, limit, stats.listener(statName), listenerFilters);
  }

  /** The chain names a {@code filter_chain_matcher} may name; each must be unique and non-empty. */
  private static Set<String> chainNames(Listener l, ConfigPath at) {
    Set<String> names = new java.util.HashSet<>();
    for (int i = 0; i < l.getFilterChainsCount(); i++) {
      String n = l.getFilterChains(i).getName();
      ConfigPath na = at.field("filter_chains").index(i).field("name");
      if (n.isEmpty()) {
        na.error("with filter_chain_matcher every filter chain needs a name");
      } else if (!names.add(n)) {
        na.error("filter chain names must be unique: '" + n + "' is used twice");
      }
    }
    return names;
  }

  private static FilterChain chain(io.envoyproxy.envoy.config.listener.v3.FilterChain fc, ConfigPath at,
      HcmCompiler hcms, NetworkFilters network) {
    int errorsBefore = at.errorCount();
    Fields.allowOnly(fc, at, Set.of("name", "filter_chain_match", "filters", "transport_socket"));
    ChainMatch match = match(fc.getFilterChainMatch(), at.field("filter_chain_match"));
    Function<ByteBufAllocator, SslHandler> tls = null;
    if (fc.hasTransportSocket()) {
      tls = transportSocket(fc.getTransportSocket(), at.field("transport_socket"));
    }
    HcmConfig hcm = null;
    TerminalFilter terminal = null;
    List<NetworkFilterFactory> filters = new ArrayList<>();
    int n = fc.getFiltersCount();
    if (n == 0) {
      at.field("filters").error("a filter chain needs a terminal network filter "
          + "(http_connection_manager or tcp_proxy)");
    }
    for (int i = 0; i < n; i++) {
      Filter f = fc.getFilters(i);
      ConfigPath fa = at.field("filters").index(i);
      Fields.allowOnly(f, fa, Set.of("name", "typed_config"));
      String type = f.getTypedConfig().getTypeUrl();
      boolean last = i == n - 1;
      if (type.equals(HCM_TYPE) || type.equals(TCP_PROXY_TYPE)) {
        String what = type.equals(HCM_TYPE) ? "http_connection_manager" : "tcp_proxy";
        if (!last) {
          fa.error(what + " must be the last network filter of its chain");
          continue;
        }
        if (type.equals(HCM_TYPE)) {
          HttpConnectionManager proto = Protos.unpack(f.getTypedConfig(), HttpConnectionManager.class, fa.field("typed_config"));
          if (proto != null) {
            hcm = hcms.compile(proto, fa.field("typed_config"));
            terminal = hcm == null ? null : new HcmTerminal(hcm);
          }
        } else {
          TcpProxy proto = Protos.unpack(f.getTypedConfig(), TcpProxy.class, fa.field("typed_config"));
          if (proto != null) {
            terminal = network.tcpProxies().compile(proto, fa.field("typed_config"));
          }
        }
        continue;
      }
      NetworkFilterProvider provider = type.isEmpty() ? null : network.registry().provider(type);
      if (provider == null) {
        fa.error("network filter '" + f.getName() + "' (" + (type.isEmpty() ? "no typed_config" : type)
            + ") is not supported by Egret");
        continue;
      }
      NetworkFilterFactory factory = provider.compile(f.getTypedConfig(), fa.field("typed_config"),
          new NetworkFilterContext(network.stats(), f.getName()));
      if (factory != null) {
        filters.add(factory);
      }
      if (last) {
        fa.error("the last network filter of a chain must be http_connection_manager or tcp_proxy, not '"
            + f.getName() + "' (" + type + ")");
      }
    }
    if (at.errorCount() > errorsBefore || terminal == null) {
      return null;
    }
    return new FilterChain(fc.getName(), match, tls, hcm, filters, terminal);
  }

  private static ChainMatch match(FilterChainMatch m, ConfigPath at) {
    Fields.allowOnly(m, at, Set.of("destination_port", "server_names", "transport_protocol", "application_protocols",
        "prefix_ranges", "direct_source_prefix_ranges", "source_type", "source_prefix_ranges", "source_ports"));
    List<String> names = new ArrayList<>();
    for (String n : m.getServerNamesList()) {
      String lower = n.toLowerCase(Locale.ROOT);
      if (lower.indexOf('*') > 0 || (lower.startsWith("*") && !lower.startsWith("*."))) {
        at.field("server_names").error("'" + n + "': only a leading '*.' wildcard is supported");
      }
      names.add(lower);
    }
    String transport = m.getTransportProtocol().isEmpty() ? null : m.getTransportProtocol();
    if (transport != null && !transport.equals("tls") && !transport.equals("raw_buffer")) {
      at.field("transport_protocol").error("'" + transport + "' is not 'tls' or 'raw_buffer'");
    }
    Integer port = m.hasDestinationPort() ? m.getDestinationPort().getValue() : null;
    return new ChainMatch(port, names, transport, m.getApplicationProtocolsList(),
        cidrs(m.getPrefixRangesList(), at.field("prefix_ranges")),
        cidrs(m.getDirectSourcePrefixRangesList(), at.field("direct_source_prefix_ranges")),
        sourceType(m, at.field("source_type")),
        cidrs(m.getSourcePrefixRangesList(), at.field("source_prefix_ranges")),
        sourcePorts(m.getSourcePortsList(), at.field("source_ports")));
  }

  private static List<CidrRange> cidrs(List<io.envoyproxy.envoy.config.core.v3.CidrRange> ranges, ConfigPath at) {
    List<CidrRange> out = new ArrayList<>();
    for (int i = 0; i < ranges.size(); i++) {
      CidrRange r = CidrRange.compile(ranges.get(i), at.index(i));
      if (r != null) {
        out.add(r);
      }
    }
    return out;
  }

  private static ChainMatch.SourceType sourceType(FilterChainMatch m, ConfigPath at) {
    return switch (m.getSourceType()) {
      case ANY -> ChainMatch.SourceType.ANY;
      case SAME_IP_OR_LOOPBACK -> ChainMatch.SourceType.SAME_IP_OR_LOOPBACK;
      case EXTERNAL -> ChainMatch.SourceType.EXTERNAL;
      case UNRECOGNIZED -> {
        at.error("unknown source_type " + m.getSourceTypeValue());
        yield ChainMatch.SourceType.ANY;
      }
    };
  }

  private static List<Integer> sourcePorts(List<Integer> ports, ConfigPath at) {
    for (int i = 0; i < ports.size(); i++) {
      if (ports.get(i) < 1 || ports.get(i) > 65535) {
        at.index(i).error("port " + ports.get(i) + " is not in 1..65535");
      }
    }
    return ports;
  }

  private static Function<ByteBufAllocator, SslHandler> transportSocket(TransportSocket ts, ConfigPath at) {
    Fields.allowOnly(ts, at, Set.of("name", "typed_config"));
    String type = ts.getTypedConfig().getTypeUrl();
    if (type.equals(RAW_BUFFER_TYPE) || (type.isEmpty() && ts.getName().equals("envoy.transport_sockets.raw_buffer"))) {
      return null;
    }
    if (!type.equals(DOWNSTREAM_TLS_TYPE)) {
      at.error("transport socket '" + ts.getName() + "' (" + (type.isEmpty() ? "no typed_config" : type)
          + ") is not supported on listeners");
      return null;
    }
    DownstreamTlsContext ctx = Protos.unpack(ts.getTypedConfig(), DownstreamTlsContext.class, at.field("typed_config"));
    if (ctx == null) {
      return null;
    }
    DownstreamTls tls = DownstreamTls.compile(ctx, at.field("typed_config"));
    return tls == null ? null : tls::newHandler;
  }

}
