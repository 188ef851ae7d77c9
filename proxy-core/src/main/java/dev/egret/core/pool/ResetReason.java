package dev.egret.core.pool;

/** Envoy's stream reset reasons, with the text used in local-reply bodies and details. */
public enum ResetReason {
  LOCAL_CONNECTION_FAILURE("local connection failure"),
  REMOTE_CONNECTION_FAILURE("remote connection failure"),
  CONNECTION_TIMEOUT("connection timeout"),
  CONNECTION_TERMINATION("connection termination"),
  LOCAL_RESET("local reset"),
  LOCAL_REFUSED_STREAM_RESET("local refused stream reset"),
  OVERFLOW("overflow"),
  REMOTE_RESET("remote reset"),
  REMOTE_REFUSED_STREAM_RESET("remote refused stream reset"),
  CONNECT_ERROR("remote error with CONNECT request"),
  PROTOCOL_ERROR("protocol error");

  private final String text;

  ResetReason(String text) {
    this.text = text;
  }

  /** Envoy's wording, e.g. {@code remote connection failure}. */
  public String text() {
    return text;
  }

  /** True for failures to establish the connection (retry_on connect-failure, flag UF). */
  public boolean isConnectFailure() {
    return this == LOCAL_CONNECTION_FAILURE || this == REMOTE_CONNECTION_FAILURE || this == CONNECTION_TIMEOUT;
  }
}
