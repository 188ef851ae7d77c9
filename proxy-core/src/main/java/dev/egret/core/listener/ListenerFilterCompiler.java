package dev.egret.core.listener;

import com.google.protobuf.Message;
import dev.egret.core.config.Addresses;
import dev.egret.core.config.ConfigPath;
import dev.egret.core.config.Protos;
import dev.egret.core.config.Fields;
import dev.egret.core.stats.Stats;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.listener.v3.ListenerFilter;
import io.envoyproxy.envoy.extensions.filters.listener.http_inspector.v3.HttpInspector;
import io.envoyproxy.envoy.extensions.filters.listener.original_dst.v3.OriginalDst;
import io.envoyproxy.envoy.extensions.filters.listener.proxy_protocol.v3.ProxyProtocol;
import io.envoyproxy.envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntPredicate;

/**
 * Compiles a listener's {@code listener_filters} (with {@code filter_disabled}),
 * {@code listener_filters_timeout} and {@code continue_on_listener_filters_timeout}. Supported:
 * {@code tls_inspector} ({@code initial_read_buffer_size} accepted: Egret reads what the ClientHello
 * needs), {@code http_inspector}, {@code original_dst}, {@code proxy_protocol} ({@code rules},
 * {@code allow_requests_without_proxy_protocol}, {@code disallowed_versions}, {@code stat_prefix}).
 * Anything else is rejected with its type URL; {@code pass_through_tlvs} is rejected (Egret has no
 * upstream PROXY protocol transport that would send them).
 */
public final class ListenerFilterCompiler {
  static final String PREFIX = "type.googleapis.com/envoy.extensions.filters.listener.";
  static final String TLS_INSPECTOR = PREFIX + "tls_inspector.v3.TlsInspector";
  static final String HTTP_INSPECTOR = PREFIX + "http_inspector.v3.HttpInspector";
  static final String ORIGINAL_DST = PREFIX + "original_dst.v3.OriginalDst";
  static final String PROXY_PROTOCOL = PREFIX + "proxy_protocol.v3.ProxyProtocol";
  private static final Map<String, String> BY_NAME = Map.of(
      "envoy.filters.listener.tls_inspector", TLS_INSPECTOR,
      "envoy.filters.listener.http_inspector", HTTP_INSPECTOR,
      "envoy.filters.listener.original_dst", ORIGINAL_DST,
      "envoy.filters.listener.proxy_protocol", PROXY_PROTOCOL);

  private ListenerFilterCompiler() {}

  /** The listener's filters; problems are recorded at {@code at} (the listener's path). */
  public static ListenerFilters compile(Listener l, ConfigPath at, Stats stats) {
    List<ListenerFilters.Entry> out = new ArrayList<>();
    for (int i = 0; i < l.getListenerFiltersCount(); i++) {
      ListenerFilter f = l.getListenerFilters(i);
      ConfigPath fa = at.field("listener_filters").index(i);
      Fields.allowOnly(f, fa, Set.of("name", "typed_config", "filter_disabled"));
      IntPredicate disabled = f.hasFilterDisabled()
          ? PortPredicate.compile(f.getFilterDisabled(), fa.field("filter_disabled")) : null;
      ListenerFilterStage stage = stage(f, fa, stats);
      if (stage != null) {
        out.add(new ListenerFilters.Entry(stage, disabled));
      }
    }
    long timeout = l.hasListenerFiltersTimeout()
        ? Addresses.millis(l.getListenerFiltersTimeout()) : ListenerFilters.DEFAULT_TIMEOUT_MILLIS;
    return new ListenerFilters(out, timeout, l.getContinueOnListenerFiltersTimeout());
  }

  private static ListenerFilterStage stage(ListenerFilter f, ConfigPath at, Stats stats) {
    String type = f.hasTypedConfig() ? f.getTypedConfig().getTypeUrl() : BY_NAME.getOrDefault(f.getName(), "");
    ConfigPath ta = at.field("typed_config");
    switch (type) {
      case TLS_INSPECTOR -> {
        TlsInspector t = unpack(f, TlsInspector.class, ta);
        if (t != null) {
          Fields.allowOnly(t, ta, Set.of("initial_read_buffer_size", "enable_ja3_fingerprinting"));
          if (t.hasEnableJa3Fingerprinting() && t.getEnableJa3Fingerprinting().getValue()) {
            ta.field("enable_ja3_fingerprinting").error("JA3 fingerprinting is not supported by Egret");
          }
        }
        return TlsInspectorStage.INSTANCE;
      }
      case HTTP_INSPECTOR -> {
        HttpInspector h = unpack(f, HttpInspector.class, ta);
        if (h != null) {
          Fields.allowOnly(h, ta, Set.of());
        }
        return HttpInspectorStage.INSTANCE;
      }
      case ORIGINAL_DST -> {
        OriginalDst o = unpack(f, OriginalDst.class, ta);
        if (o != null) {
          Fields.allowOnly(o, ta, Set.of());
        }
        return OriginalDstStage.INSTANCE;
      }
      case PROXY_PROTOCOL -> {
        ProxyProtocol p = unpack(f, ProxyProtocol.class, ta);
        return p == null ? null : proxyProtocol(p, ta, stats);
      }
      default -> {
        at.error("listener filter '" + f.getName() + "' (" + (type.isEmpty() ? "no typed_config" : type)
            + ") is not supported by Egret");
        return null;
      }
    }
  }

  private static ProxyProtocolStage proxyProtocol(ProxyProtocol p, ConfigPath at, Stats stats) {
    Fields.allowOnly(p, at, Set.of("rules", "allow_requests_without_proxy_protocol", "disallowed_versions",
        "stat_prefix", "pass_through_tlvs"));
    if (p.hasPassThroughTlvs()) {
      at.field("pass_through_tlvs").error("pass_through_tlvs is not supported by Egret (no upstream PROXY protocol "
          + "transport socket would send them)");
    }
    Map<Integer, ProxyProtocolStage.Rule> rules = new HashMap<>();
    for (int i = 0; i < p.getRulesCount(); i++) {
      ProxyProtocol.Rule r = p.getRules(i);
      ConfigPath ra = at.field("rules").index(i);
      Fields.allowOnly(r, ra, Set.of("tlv_type", "on_tlv_present"));
      Fields.allowOnly(r.getOnTlvPresent(), ra.field("on_tlv_present"), Set.of("metadata_namespace", "key"));
      if (r.getTlvType() > 255) {
        ra.field("tlv_type").error("TLV type " + r.getTlvType() + " is not a byte (0..255)");
        continue;
      }
      if (r.getOnTlvPresent().getKey().isEmpty()) {
        ra.field("on_tlv_present").field("key").error("a rule needs a metadata key");
        continue;
      }
      String ns = r.getOnTlvPresent().getMetadataNamespace().isEmpty()
          ? ProxyProtocolStage.DEFAULT_NAMESPACE : r.getOnTlvPresent().getMetadataNamespace();
      if (rules.putIfAbsent(r.getTlvType(), new ProxyProtocolStage.Rule(r.getTlvType(), r.getOnTlvPresent().getKey(), ns))
          != null) {
        ra.field("tlv_type").error("TLV type " + r.getTlvType() + " must have one rule only");
      }
    }
    Set<Integer> disallowed = new HashSet<>();
    for (int i = 0; i < p.getDisallowedVersionsCount(); i++) {
      switch (p.getDisallowedVersions(i)) {
        case V1 -> disallowed.add(1);
        case V2 -> disallowed.add(2);
        default -> at.field("disallowed_versions").index(i).error("unknown PROXY protocol version");
      }
    }
    if (disallowed.size() == 2 && !p.getAllowRequestsWithoutProxyProtocol()) {
      at.field("disallowed_versions").error("must not disallow both versions: no connection could be accepted");
    }
    return new ProxyProtocolStage(rules, p.getAllowRequestsWithoutProxyProtocol(), disallowed,
        ProxyProtocolStage.Counters.of(stats, p.getStatPrefix()));
  }

  private static <T extends Message> T unpack(ListenerFilter f, Class<T> type, ConfigPath at) {
    if (!f.hasTypedConfig()) {
      return null; // named by its well-known name only: default configuration
    }
    return Protos.unpack(f.getTypedConfig(), type, at);
  }
}
