package dev.egret.core.listener;

import static java.util.Objects.requireNonNull;

import dev.egret.core.stream.DynamicMetadata;
import dev.egret.core.stream.FilterState;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * What the listener filters learn about a new connection before its filter chain is chosen: the
 * addresses (which {@code proxy_protocol} and {@code original_dst} may replace), the transport and
 * application protocols and server name (which {@code tls_inspector} and {@code http_inspector}
 * detect), and the connection's filter state and dynamic metadata. Filter-chain matching reads it;
 * the chosen chain's {@link dev.egret.core.http.ConnectionInfo} is made from it.
 *
 * <p>Mutable, owned by the connection's event loop, and only until the chain is installed.
 */
public final class ConnectionFacts {
  /** Envoy's default when no listener filter detected a transport protocol. */
  public static final String RAW_BUFFER = "raw_buffer";

  private InetSocketAddress local;
  private InetSocketAddress remote;
  private final InetSocketAddress directRemote;
  private String transportProtocol; // nullable until detected
  private String serverName; // nullable
  private List<String> applicationProtocols = List.of();
  private final FilterState filterState;
  private final DynamicMetadata dynamicMetadata;

  /**
   * @param local        the address the connection arrived at
   * @param remote       the peer's address (also kept as the direct remote address)
   * @param filterState  the connection's filter state (an internal listener passes the state the
   *                     creating stream shared; a socket connection starts empty)
   * @param dynamicMetadata the connection's dynamic metadata
   */
  public ConnectionFacts(InetSocketAddress local, InetSocketAddress remote, FilterState filterState,
      DynamicMetadata dynamicMetadata) {
    this.local = local;
    this.remote = remote;
    this.directRemote = remote;
    this.filterState = requireNonNull(filterState, "filterState");
    this.dynamicMetadata = requireNonNull(dynamicMetadata, "dynamicMetadata");
  }

  /** A socket connection with empty filter state and metadata. */
  public static ConnectionFacts accepted(InetSocketAddress local, InetSocketAddress remote) {
    return new ConnectionFacts(local, remote, FilterState.forConnection(), DynamicMetadata.forConnection());
  }

  /** The (possibly restored) local address; may be null for an internal connection without one. */
  public InetSocketAddress local() {
    return local;
  }

  public void setLocal(InetSocketAddress local) {
    this.local = local;
  }

  /** The (possibly restored) remote address. */
  public InetSocketAddress remote() {
    return remote;
  }

  public void setRemote(InetSocketAddress remote) {
    this.remote = remote;
  }

  /** The physical peer, whatever PROXY protocol or original_dst said. */
  public InetSocketAddress directRemote() {
    return directRemote;
  }

  /** The detected transport protocol, or {@code raw_buffer} when none was detected. */
  public String transportProtocol() {
    return transportProtocol == null ? RAW_BUFFER : transportProtocol;
  }

  public void setTransportProtocol(String transportProtocol) {
    this.transportProtocol = transportProtocol;
  }

  /** The TLS server name (SNI), lower case, or null. */
  public String serverName() {
    return serverName;
  }

  public void setServerName(String serverName) {
    this.serverName = serverName;
  }

  /** ALPN offered in the ClientHello, or the protocol http_inspector detected. */
  public List<String> applicationProtocols() {
    return applicationProtocols;
  }

  public void setApplicationProtocols(List<String> protocols) {
    this.applicationProtocols = List.copyOf(protocols);
  }

  public FilterState filterState() {
    return filterState;
  }

  public DynamicMetadata dynamicMetadata() {
    return dynamicMetadata;
  }

  /** The destination port, or 0 when the local address is unknown. */
  public int localPort() {
    return local == null ? 0 : local.getPort();
  }
}
