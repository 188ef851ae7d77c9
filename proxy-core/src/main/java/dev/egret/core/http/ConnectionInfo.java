package dev.egret.core.http;

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
 */
public record ConnectionInfo(
    InetSocketAddress local,
    InetSocketAddress remote,
    boolean tls,
    String sni,
    String peerUriSan,
    String localUriSan) {}
