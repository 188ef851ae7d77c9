package dev.egret.core.listener;

import dev.egret.core.config.ConfigPath;
import dev.egret.core.config.Fields;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.util.Set;

/**
 * An IP prefix ({@code 10.0.0.0/8}, {@code 2001:db8::/32}). An IPv4 range never contains an IPv6
 * address and the reverse.
 */
public record CidrRange(byte[] network, int prefixLen) {
  public CidrRange {
    network = network.clone();
  }

  /** A prefix given as address text and length (a null length is 0, as in Envoy); null after an error. */
  public static CidrRange compile(String prefix, Integer len, ConfigPath at) {
    byte[] bytes = NetUtil.createByteArrayFromIpAddressString(prefix);
    if (bytes == null) {
      at.field("address_prefix").error("'" + prefix + "' is not an IP address");
      return null;
    }
    int max = bytes.length * 8;
    int l = len == null ? 0 : len; // Envoy: an unset prefix_len is 0
    if (l < 0 || l > max) {
      at.field("prefix_len").error("prefix length " + l + " is not in 0.." + max);
      return null;
    }
    for (int bit = l; bit < max; bit++) { // Envoy masks the host bits off
      bytes[bit / 8] &= (byte) ~(0x80 >> (bit % 8));
    }
    return new CidrRange(bytes, l);
  }

  /** Envoy's {@code config.core.v3.CidrRange}. */
  public static CidrRange compile(io.envoyproxy.envoy.config.core.v3.CidrRange p, ConfigPath at) {
    Fields.allowOnly(p, at, Set.of("address_prefix", "prefix_len"));
    return compile(p.getAddressPrefix(), p.hasPrefixLen() ? p.getPrefixLen().getValue() : null, at);
  }

  /** The xDS {@code xds.core.v3.CidrRange} (IPMatcher ranges). */
  public static CidrRange compile(com.github.xds.core.v3.CidrRange p, ConfigPath at) {
    Fields.allowOnly(p, at, Set.of("address_prefix", "prefix_len"));
    return compile(p.getAddressPrefix(), p.hasPrefixLen() ? p.getPrefixLen().getValue() : null, at);
  }

  public boolean contains(InetAddress a) {
    if (a == null) {
      return false;
    }
    byte[] b = a.getAddress();
    if (b.length != network.length) {
      return false;
    }
    int full = prefixLen / 8;
    for (int i = 0; i < full; i++) {
      if (b[i] != network[i]) {
        return false;
      }
    }
    int rest = prefixLen % 8;
    if (rest == 0) {
      return true;
    }
    int mask = (0xFF << (8 - rest)) & 0xFF;
    return (b[full] & mask) == (network[full] & mask);
  }

  @Override
  public byte[] network() {
    return network.clone();
  }

  @Override
  public String toString() {
    try {
      return NetUtil.toAddressString(InetAddress.getByAddress(network)) + "/" + prefixLen;
    } catch (java.net.UnknownHostException e) {
      return "?/" + prefixLen;
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CidrRange c && c.prefixLen == prefixLen && java.util.Arrays.equals(c.network, network);
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.hashCode(network) * 31 + prefixLen;
  }
}
