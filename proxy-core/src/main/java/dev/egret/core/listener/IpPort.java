package dev.egret.core.listener;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Parses and prints IP addresses the way Envoy does: {@code 10.0.0.1:80}, {@code [2001:db8::1]:80};
 * IPv6 text in RFC 5952 form ({@code ::1}, not {@code 0:0:0:0:0:0:0:1}). Never resolves names.
 */
public final class IpPort {
  private IpPort() {}

  /** {@code IP:PORT} or {@code [IPv6]:PORT} as an address, or null when it is not one. */
  public static InetSocketAddress parse(String s) {
    if (s == null || s.isEmpty()) {
      return null;
    }
    String host;
    String port;
    if (s.charAt(0) == '[') {
      int close = s.indexOf(']');
      if (close < 0 || close + 1 >= s.length() || s.charAt(close + 1) != ':') {
        return null;
      }
      host = s.substring(1, close);
      port = s.substring(close + 2);
      if (!NetUtil.isValidIpV6Address(host)) {
        return null;
      }
    } else {
      int colon = s.lastIndexOf(':');
      if (colon < 0 || s.indexOf(':') != colon) {
        return null;
      }
      host = s.substring(0, colon);
      port = s.substring(colon + 1);
      if (!NetUtil.isValidIpV4Address(host)) {
        return null;
      }
    }
    int p = parsePort(port);
    byte[] bytes = NetUtil.createByteArrayFromIpAddressString(host);
    if (p < 0 || bytes == null) {
      return null;
    }
    try {
      return new InetSocketAddress(InetAddress.getByAddress(bytes), p);
    } catch (java.net.UnknownHostException e) {
      return null;
    }
  }

  /** A decimal port 0..65535, or -1. */
  static int parsePort(String s) {
    if (s.isEmpty() || s.length() > 5) {
      return -1;
    }
    int v = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v <= 65535 ? v : -1;
  }

  /** The address text without port, IPv6 compressed. */
  public static String ip(InetAddress a) {
    return NetUtil.toAddressString(a);
  }
}
