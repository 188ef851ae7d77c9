package dev.egret.core.http;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The {@code :authority} of a CONNECT request, parsed as hbone.md §5.2 requires: {@code IPv4:port},
 * {@code [IPv6]:port} or {@code hostname:port}, with a port of 1–65535. IPv4-mapped IPv6 addresses
 * are canonicalised to IPv4 ({@code [::ffff:10.0.0.1]:80} → {@code 10.0.0.1}).
 *
 * @param host the host: an IP literal without brackets (canonical form) or a hostname
 * @param port 1–65535
 * @param ip   whether {@code host} is an IP literal
 */
public record ConnectAuthority(String host, int port, boolean ip) {
  private static final int MAX_HOSTNAME = 253;

  /** Parses {@code authority}; null when it is not a valid CONNECT target. */
  public static ConnectAuthority parse(String authority) {
    if (authority == null || authority.isEmpty()) {
      return null;
    }
    String host;
    String port;
    if (authority.charAt(0) == '[') {
      int close = authority.indexOf(']');
      if (close < 0 || close + 1 >= authority.length() || authority.charAt(close + 1) != ':') {
        return null;
      }
      host = authority.substring(1, close);
      port = authority.substring(close + 2);
      if (!NetUtil.isValidIpV6Address(host) || host.indexOf('%') >= 0) {
        return null;
      }
      return withPort(canonicalV6(host), port, true);
    }
    int colon = authority.lastIndexOf(':');
    if (colon <= 0 || authority.indexOf(':') != colon) {
      return null; // no port, or an unbracketed IPv6 literal
    }
    host = authority.substring(0, colon);
    port = authority.substring(colon + 1);
    if (NetUtil.isValidIpV4Address(host)) {
      return withPort(host, port, true);
    }
    return validHostname(host) ? withPort(host.toLowerCase(java.util.Locale.ROOT), port, false) : null;
  }

  /** {@code host:port}, bracketing an IPv6 literal. */
  @Override
  public String toString() {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }

  private static ConnectAuthority withPort(String host, String port, boolean ip) {
    if (port.isEmpty() || port.length() > 5) {
      return null;
    }
    int p = 0;
    for (int i = 0; i < port.length(); i++) {
      char c = port.charAt(i);
      if (c < '0' || c > '9') {
        return null;
      }
      p = p * 10 + (c - '0');
    }
    if (p < 1 || p > 65535) {
      return null;
    }
    return new ConnectAuthority(host, p, ip);
  }

  private static String canonicalV6(String literal) {
    try {
      InetAddress a = InetAddress.getByName(literal); // a literal: no lookup happens
      return a.getHostAddress(); // an IPv4-mapped address comes back as an Inet4Address
    } catch (UnknownHostException e) {
      return literal;
    }
  }

  private static boolean validHostname(String h) {
    if (h.isEmpty() || h.length() > MAX_HOSTNAME || h.charAt(0) == '.' || h.charAt(0) == '-') {
      return false;
    }
    int label = 0;
    for (int i = 0; i < h.length(); i++) {
      char c = h.charAt(i);
      if (c == '.') {
        if (label == 0) {
          return false;
        }
        label = 0;
        continue;
      }
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
      if (!ok || ++label > 63) {
        return false;
      }
    }
    return true;
  }
}
