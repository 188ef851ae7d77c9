package dev.egret.core.listener;

import dev.egret.core.stream.FilterState;
import java.net.InetSocketAddress;

/**
 * Envoy's {@code original_dst} listener filter. On a socket Egret cannot read an iptables-redirected
 * destination ({@code SO_ORIGINAL_DST} is not reachable from Java), and without a redirect the
 * original destination is the local address, so the local address stays. On a connection that
 * carries filter state (an internal listener entered from a CONNECT stream) it restores the local
 * address from {@value #LOCAL_KEY} and the remote address from {@value #REMOTE_KEY}, each an
 * {@code IP:PORT} string (Istio sets them with {@code set_filter_state} from
 * {@code %REQ(:AUTHORITY)%} and {@code %DOWNSTREAM_REMOTE_ADDRESS%}); a value that is not
 * {@code IP:PORT} is ignored. First, as Envoy does, it looks at the connection's dynamic metadata
 * {@value #METADATA_NAMESPACE} key {@code local}: the {@code internal_upstream} transport socket passes
 * it from the chosen endpoint's metadata, which is how Istio's {@code connect_originate} learns the
 * pod's address.
 */
public final class OriginalDstStage implements ListenerFilterStage {
  public static final String LOCAL_KEY = "envoy.filters.listener.original_dst.local_ip";
  public static final String REMOTE_KEY = "envoy.filters.listener.original_dst.remote_ip";
  public static final String METADATA_NAMESPACE = "envoy.filters.listener.original_dst";

  static final OriginalDstStage INSTANCE = new OriginalDstStage();

  private OriginalDstStage() {}

  @Override
  public String name() {
    return "envoy.filters.listener.original_dst";
  }

  @Override
  public Result onAccept(ConnectionFacts facts) {
    FilterState state = facts.filterState();
    com.google.protobuf.Struct md = facts.dynamicMetadata().get(METADATA_NAMESPACE);
    com.google.protobuf.Value fromMetadata = md == null ? null : md.getFieldsMap().get("local");
    InetSocketAddress local = fromMetadata != null && fromMetadata.hasStringValue()
        ? IpPort.parse(fromMetadata.getStringValue()) : null;
    if (local == null) {
      local = IpPort.parse(state.getString(LOCAL_KEY));
    }
    if (local != null) {
      facts.setLocal(local);
    }
    InetSocketAddress remote = IpPort.parse(state.getString(REMOTE_KEY));
    if (remote != null) {
      facts.setRemote(remote);
    }
    return Result.CONTINUE;
  }
}
