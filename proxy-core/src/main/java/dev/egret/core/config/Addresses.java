package dev.egret.core.config;

import com.google.protobuf.Duration;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Set;

/** Reads addresses and durations from config protos, reporting problems with their paths. */
public final class Addresses {
  private Addresses() {}

  /**
   * An {@code Address} that must be a TCP socket address with an IP literal (listeners, admin,
   * STATIC endpoints). Returns null after recording an error.
   */
  public static InetSocketAddress ipSocketAddress(Address address, ConfigPath at) {
    Fields.allowOnly(address, at, Set.of("socket_address"));
    if (!address.hasSocketAddress()) {
      at.error("a socket_address is required");
      return null;
    }
    ConfigPath sa = at.field("socket_address");
    SocketAddress s = address.getSocketAddress();
    Fields.allowOnly(s, sa, Set.of("address", "port_value", "protocol"));
    if (s.getProtocol() != SocketAddress.Protocol.TCP) {
      sa.field("protocol").error("only TCP is supported");
      return null;
    }
    byte[] ip = NetUtil.createByteArrayFromIpAddressString(s.getAddress());
    if (ip == null) {
      sa.field("address").error("'" + s.getAddress() + "' is not an IP address");
      return null;
    }
    if (s.getPortValue() > 65535) {
      sa.field("port_value").error("port " + s.getPortValue() + " is out of range");
      return null;
    }
    try {
      return new InetSocketAddress(InetAddress.getByAddress(ip), s.getPortValue());
    } catch (UnknownHostException e) {
      sa.field("address").error("'" + s.getAddress() + "' is not an IP address");
      return null;
    }
  }

  /** A protobuf Duration in milliseconds (rounded up to 1 ms when positive and sub-millisecond). */
  public static long millis(Duration d) {
    long ms = d.getSeconds() * 1000 + d.getNanos() / 1_000_000;
    if (ms == 0 && d.getNanos() > 0) {
      return 1;
    }
    return ms;
  }
}
