package dev.egret.core.network;

/**
 * One network (L4) filter's work on one downstream connection (Envoy's read filter, connection
 * phase only). When a connection's filter chain is chosen and its transport is ready (after the TLS
 * handshake when the chain terminates TLS), the chain's filters see the connection in configuration
 * order, each before the next; only when every one has continued does the terminal filter
 * ({@code http_connection_manager} or {@code tcp_proxy}) start reading. Bytes that arrive meanwhile
 * are held, in order, for the terminal filter.
 *
 * <p>A filter that must wait (a call to an authorization server) returns {@link Status#STOP} and later
 * calls {@link NetworkFilterCallbacks#continueConnection()} or
 * {@link NetworkFilterCallbacks#closeConnection(String)} from the event loop. A filter that denies the
 * connection (network RBAC) calls {@code closeConnection} and returns either status.
 */
public interface NetworkFilter {
  /** What the chain does after a filter has seen the new connection. */
  enum Status {
    /** Hand the connection to the next filter. */
    CONTINUE,
    /** Hold the connection until the filter continues or closes it. */
    STOP
  }

  /** A new connection; may read and write its filter state and dynamic metadata. */
  Status onNewConnection(NetworkFilterCallbacks callbacks);

  /** The connection closed (for any reason): release anything held, cancel pending calls. */
  default void onConnectionClosed(NetworkFilterCallbacks callbacks) {}
}
