package dev.egret.filters.rbac;

import dev.egret.core.config.ConfigPath;
import dev.egret.core.config.Fields;
import io.envoyproxy.envoy.config.core.v3.CidrRange;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.Set;

/**
 * A compiled {@code envoy.config.core.v3.CidrRange}. An IPv4 range never matches an IPv6 address and
 * the reverse (Envoy compares address families first); IPv4-mapped IPv6 peers arrive from Java as
 * {@link Inet4Address} already. IPv4 matching reads the address as an int and allocates nothing.
 */
final class Cidr {
  private final byte[] prefix; // network bytes, host bits zeroed
  private final int bits;
  private final int v4; // prefix as int when IPv4
  private final int v4Mask;

  private Cidr(byte[] prefix, int bits) {
    this.prefix = prefix;
    this.bits = bits;
    if (prefix.length == 4) {
      v4Mask = bits == 0 ? 0 : -1 << (32 - bits);
      v4 = ((prefix[0] & 0xff) << 24 | (prefix[1] & 0xff) << 16 | (prefix[2] & 0xff) << 8 | (prefix[3] & 0xff))
          & v4Mask;
    } else {
      v4Mask = 0;
      v4 = 0;
    }
  }

  /** Compiles a range; null after reporting at {@code at}. The address must be a literal IP. */
  static Cidr compile(CidrRange proto, ConfigPath at) {
    Fields.allowOnly(proto, at, Set.of("address_prefix", "prefix_len"));
    String addr = proto.getAddressPrefix();
    byte[] bytes = literal(addr);
    if (bytes == null) {
      at.field("address_prefix").error("'" + addr + "' is not an IP address literal");
      return null;
    }
    int max = bytes.length * 8;
    int len = proto.hasPrefixLen() ? proto.getPrefixLen().getValue() : 0;
    if (len > max) {
      at.field("prefix_len").error("prefix_len " + len + " exceeds the " + max + " bits of " + addr);
      return null;
    }
    byte[] masked = Arrays.copyOf(bytes, bytes.length);
    for (int i = 0; i < masked.length; i++) {
      int keep = Math.max(0, Math.min(8, len - i * 8));
      masked[i] &= (byte) (0xff00 >> keep);
    }
    return new Cidr(masked, len);
  }

  /** The bytes of an IP literal, or null for anything else (never resolves names). */
  static byte[] literal(String s) {
    boolean v6 = s.indexOf(':') >= 0;
    boolean v4 = !v6 && s.chars().filter(ch -> ch == '.').count() == 3
        && s.chars().allMatch(ch -> ch == '.' || (ch >= '0' && ch <= '9'));
    if (!v4 && !v6) {
      return null;
    }
    try {
      return InetAddress.getByName(s).getAddress();
    } catch (Exception e) {
      return null;
    }
  }

  boolean matches(InetSocketAddress a) {
    return a != null && matches(a.getAddress());
  }

  boolean matches(InetAddress a) {
    if (a == null) {
      return false;
    }
    if (prefix.length == 4) {
      // Inet4Address.hashCode() is its address as an int: no array copy.
      return a instanceof Inet4Address && (a.hashCode() & v4Mask) == v4;
    }
    if (a instanceof Inet4Address) {
      return false;
    }
    byte[] b = a.getAddress();
    int full = bits / 8;
    for (int i = 0; i < full; i++) {
      if (b[i] != prefix[i]) {
        return false;
      }
    }
    int rest = bits % 8;
    return rest == 0 || (b[full] & (0xff00 >> rest) & 0xff) == (prefix[full] & 0xff);
  }

  @Override
  public String toString() {
    try {
      return InetAddress.getByAddress(prefix).getHostAddress() + "/" + bits;
    } catch (Exception e) {
      return "?/" + bits;
    }
  }
}
