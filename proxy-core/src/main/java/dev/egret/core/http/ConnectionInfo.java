package dev.egret.core.http;

import dev.egret.core.stream.DynamicMetadata;
import dev.egret.core.stream.FilterState;
import java.net.InetSocketAddress;

/**
 * Facts about a downstream connection that every stream on it shares.
 *
 * @param local        the address the client connected to
 * @param remote       the client's address
 * @param tls          whether the connection is TLS
 * @param sni          the server name the client asked for, or null
 * @param peerUriSan   the client certificate's URI SAN, or null
 * @param localUriSan  our certificate's URI SAN, or null
 * @param filterState  the connection's filter state (listener and network filters write it; streams
 *                     on the connection read it through their own)
 * @param dynamicMetadata the connection's dynamic metadata (PROXY protocol TLVs, network filters)
 */
public record ConnectionInfo(
    InetSocketAddress local,
    InetSocketAddress remote,
    boolean tls,
    String sni,
    String peerUriSan,
    String localUriSan,
    FilterState filterState,
    DynamicMetadata dynamicMetadata) {

  public ConnectionInfo {
    java.util.Objects.requireNonNull(filterState, "filterState");
    java.util.Objects.requireNonNull(dynamicMetadata, "dynamicMetadata");
  }

  /** A connection with empty filter state and metadata. */
  public ConnectionInfo(InetSocketAddress local, InetSocketAddress remote, boolean tls, String sni,
      String peerUriSan, String localUriSan) {
    this(local, remote, tls, sni, peerUriSan, localUriSan, FilterState.forConnection(),
        DynamicMetadata.forConnection());
  }
}
