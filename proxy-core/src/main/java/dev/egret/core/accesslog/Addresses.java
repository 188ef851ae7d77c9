package dev.egret.core.accesslog;

import io.netty.util.NetUtil;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/** Address printing as Envoy does it: {@code 10.0.0.1:80}, {@code [::1]:80}; IPv6 compressed. */
final class Addresses {
  private Addresses() {}

  static void appendIpPort(InetSocketAddress a, StringBuilder out) {
    InetAddress ip = a.getAddress();
    if (ip instanceof Inet6Address) {
      out.append('[').append(NetUtil.toAddressString(ip)).append(']');
    } else if (ip != null) {
      out.append(ip.getHostAddress());
    } else {
      out.append(a.getHostString());
    }
    out.append(':').append(a.getPort());
  }

  static void appendIp(InetSocketAddress a, StringBuilder out) {
    InetAddress ip = a.getAddress();
    if (ip instanceof Inet6Address) {
      out.append(NetUtil.toAddressString(ip));
    } else if (ip != null) {
      out.append(ip.getHostAddress());
    } else {
      out.append(a.getHostString());
    }
  }

  /** The host of {@code ip:port} or {@code [v6]:port} text; the text itself when it has no port. */
  static boolean appendHostOfText(String a, StringBuilder out) {
    if (a.startsWith("[")) {
      int close = a.indexOf(']');
      out.append(a, 1, close < 0 ? a.length() : close);
      return true;
    }
    int colon = a.lastIndexOf(':');
    if (colon < 0 || a.indexOf(':') != colon) {
      out.append(a);
    } else {
      out.append(a, 0, colon);
    }
    return true;
  }

  /** The port of {@code ip:port} text; unset when there is none. */
  static boolean appendPortOfText(String a, StringBuilder out) {
    int colon = a.lastIndexOf(':');
    if (colon < 0 || colon == a.length() - 1 || (!a.startsWith("[") && a.indexOf(':') != colon)) {
      return false;
    }
    for (int i = colon + 1; i < a.length(); i++) {
      if (!Character.isDigit(a.charAt(i))) {
        return false;
      }
    }
    out.append(a, colon + 1, a.length());
    return true;
  }
}
