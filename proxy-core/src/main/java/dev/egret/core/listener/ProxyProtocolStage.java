package dev.egret.core.listener;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.egret.core.stats.StatCounter;
import dev.egret.core.stats.Stats;
import io.netty.buffer.ByteBuf;
import java.util.Map;
import java.util.Set;

/**
 * Envoy's {@code proxy_protocol} listener filter. Reads a PROXY v1 or v2 header from the first bytes
 * (consuming it: the filter chain never sees it), then makes the header's source the connection's
 * remote address and its destination the local address (what {@code %DOWNSTREAM_REMOTE_ADDRESS%},
 * {@code %DOWNSTREAM_LOCAL_ADDRESS%}, RBAC and filter-chain matching see; the physical peer stays
 * the direct remote address). A v2 TLV whose type a rule names is written to dynamic metadata as a
 * string under the rule's key and namespace ({@value #DEFAULT_NAMESPACE} by default): kgateway's
 * sandwich maps ztunnel's TLV 0xD0 (the caller's SPIFFE id) to {@code peer_principal} this way, and a
 * {@code set_filter_state} filter copies it to {@code io.istio.peer_principal}.
 *
 * <p>A connection without a header is closed unless {@code allow_requests_without_proxy_protocol}
 * is set; a malformed header, or a version in {@code disallowed_versions}, always closes it. Each
 * outcome is counted under {@code proxy_proto.[<stat_prefix>.]} ({@code v2.found},
 * {@code v2.error}, {@code v2.disallowed}, {@code not_found_allowed}, {@code not_found_disallowed},
 * and the same for v1), as Envoy counts them. The PROXY header is unauthenticated: accept it only
 * from a trusted sender (hbone.md §13).
 */
public final class ProxyProtocolStage implements ListenerFilterStage {
  public static final String DEFAULT_NAMESPACE = "envoy.filters.listener.proxy_protocol";

  /** A TLV to metadata mapping. */
  public record Rule(int tlvType, String key, String namespace) {
    public Rule {
      requireNonNull(key, "key");
      requireNonNull(namespace, "namespace");
    }
  }

  private final Map<Integer, Rule> rules;
  private final boolean allowWithoutHeader;
  private final Set<Integer> disallowedVersions;
  private final Counters counters;

  /** Envoy's counters of this filter. */
  record Counters(StatCounter v1Found, StatCounter v1Error, StatCounter v1Disallowed, StatCounter v2Found,
      StatCounter v2Error, StatCounter v2Disallowed, StatCounter notFoundAllowed, StatCounter notFoundDisallowed) {
    static Counters of(Stats stats, String statPrefix) {
      String root = "proxy_proto." + (statPrefix.isEmpty() ? "" : statPrefix + ".");
      return new Counters(stats.serverCounter(root + "versions.v1.found"), stats.serverCounter(root + "versions.v1.error"),
          stats.serverCounter(root + "versions.v1.disallowed"), stats.serverCounter(root + "versions.v2.found"),
          stats.serverCounter(root + "versions.v2.error"), stats.serverCounter(root + "versions.v2.disallowed"),
          stats.serverCounter(root + "not_found_allowed"), stats.serverCounter(root + "not_found_disallowed"));
    }
  }

  ProxyProtocolStage(Map<Integer, Rule> rules, boolean allowWithoutHeader, Set<Integer> disallowedVersions,
      Counters counters) {
    this.rules = Map.copyOf(rules);
    this.allowWithoutHeader = allowWithoutHeader;
    this.disallowedVersions = Set.copyOf(disallowedVersions);
    this.counters = requireNonNull(counters, "counters");
  }

  @Override
  public String name() {
    return "envoy.filters.listener.proxy_protocol";
  }

  @Override
  public Result onAccept(ConnectionFacts facts) {
    return Result.NEED_DATA;
  }

  @Override
  public Result onData(ByteBuf b, ConnectionFacts facts, boolean endOfStream) {
    ProxyProtocolParser.Result r = ProxyProtocolParser.parse(b);
    if (r instanceof ProxyProtocolParser.Incomplete) {
      if (!endOfStream) {
        return Result.NEED_DATA;
      }
      if (b.readableBytes() == 0 && allowWithoutHeader) {
        counters.notFoundAllowed().inc();
        return Result.CONTINUE;
      }
      (b.readableBytes() > 0 && b.getByte(b.readerIndex()) == 'P' ? counters.v1Error() : counters.v2Error()).inc();
      return Result.CLOSE;
    }
    if (r instanceof ProxyProtocolParser.Absent) {
      if (allowWithoutHeader) {
        counters.notFoundAllowed().inc();
        return Result.CONTINUE;
      }
      counters.notFoundDisallowed().inc();
      return Result.CLOSE;
    }
    if (r instanceof ProxyProtocolParser.Malformed m) {
      (m.version() == 1 ? counters.v1Error() : counters.v2Error()).inc();
      return Result.CLOSE;
    }
    ProxyHeader h = ((ProxyProtocolParser.Parsed) r).header();
    if (disallowedVersions.contains(h.version())) {
      (h.version() == 1 ? counters.v1Disallowed() : counters.v2Disallowed()).inc();
      return Result.CLOSE;
    }
    (h.version() == 1 ? counters.v1Found() : counters.v2Found()).inc();
    b.skipBytes(h.length());
    apply(h, facts);
    return Result.CONTINUE;
  }

  /** Applies a parsed header's addresses and mapped TLVs to the connection. */
  void apply(ProxyHeader h, ConnectionFacts facts) {
    if (!h.local()) {
      facts.setRemote(h.source());
      facts.setLocal(h.destination());
    }
    for (ProxyHeader.Tlv t : h.tlvs()) {
      Rule rule = rules.get(t.type());
      if (rule != null) {
        facts.dynamicMetadata().merge(rule.namespace(), Struct.newBuilder()
            .putFields(rule.key(), Value.newBuilder().setStringValue(t.text()).build()).build());
      }
    }
  }
}
