package dev.egret.core.pool;

/** Which HTTP version a cluster speaks upstream. */
public enum UpstreamProtocol {
  HTTP1,
  HTTP2,
  /** Negotiated by ALPN over TLS ({@code h2} preferred); HTTP/1.1 on plaintext. */
  AUTO
}
