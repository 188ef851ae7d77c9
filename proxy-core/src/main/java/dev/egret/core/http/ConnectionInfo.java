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
 * @param directRemote the physical peer's address ({@code remote} is what PROXY protocol or
 *                     original_dst said the client is); equal to {@code remote} when neither ran
 * @param peerCertificate the certificate the TLS client presented, or null (plain text, no client
 *                     certificate); {@code x-forwarded-client-cert} is built from it
 */
public record ConnectionInfo(
    InetSocketAddress local,
    InetSocketAddress remote,
    boolean tls,
    String sni,
    String peerUriSan,
    String localUriSan,
    FilterState filterState,
    DynamicMetadata dynamicMetadata,
    InetSocketAddress directRemote,
    PeerCertificate peerCertificate) {

  public ConnectionInfo {
    java.util.Objects.requireNonNull(filterState, "filterState");
    java.util.Objects.requireNonNull(dynamicMetadata, "dynamicMetadata");
    if (directRemote == null) {
      directRemote = remote;
    }
  }

  /** A connection without a client certificate. */
  public ConnectionInfo(InetSocketAddress local, InetSocketAddress remote, boolean tls, String sni,
      String peerUriSan, String localUriSan, FilterState filterState, DynamicMetadata dynamicMetadata,
      InetSocketAddress directRemote) {
    this(local, remote, tls, sni, peerUriSan, localUriSan, filterState, dynamicMetadata, directRemote, null);
  }

  /** A connection whose remote address is its physical peer. */
  public ConnectionInfo(InetSocketAddress local, InetSocketAddress remote, boolean tls, String sni,
      String peerUriSan, String localUriSan, FilterState filterState, DynamicMetadata dynamicMetadata) {
    this(local, remote, tls, sni, peerUriSan, localUriSan, filterState, dynamicMetadata, remote);
  }

  /** A connection with empty filter state and metadata. */
  public ConnectionInfo(InetSocketAddress local, InetSocketAddress remote, boolean tls, String sni,
      String peerUriSan, String localUriSan) {
    this(local, remote, tls, sni, peerUriSan, localUriSan, FilterState.forConnection(),
        DynamicMetadata.forConnection());
  }
}
