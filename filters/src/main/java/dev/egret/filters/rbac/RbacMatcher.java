package dev.egret.filters.rbac;

import dev.egret.core.match.StringMatch;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.function.Function;

/**
 * One compiled node of a permission or principal tree. Every implementation is immutable and its
 * {@link #matches} allocates nothing.
 */
interface RbacMatcher {
  boolean matches(RbacRequest r);

  /** {@code any: true}. */
  RbacMatcher ANY = r -> true;

  /** {@code and_rules} / {@code and_ids}: every child matches. */
  record And(RbacMatcher[] all) implements RbacMatcher {
    @Override
    public boolean matches(RbacRequest r) {
      for (RbacMatcher m : all) {
        if (!m.matches(r)) {
          return false;
        }
      }
      return true;
    }
  }

  /** {@code or_rules} / {@code or_ids}: some child matches. */
  record Or(RbacMatcher[] any) implements RbacMatcher {
    @Override
    public boolean matches(RbacRequest r) {
      for (RbacMatcher m : any) {
        if (m.matches(r)) {
          return true;
        }
      }
      return false;
    }
  }

  /** {@code not_rule} / {@code not_id}. */
  record Not(RbacMatcher inner) implements RbacMatcher {
    @Override
    public boolean matches(RbacRequest r) {
      return !inner.matches(r);
    }
  }

  /** {@code url_path}: the path without query and fragment; no path never matches. */
  record UrlPath(StringMatch path) implements RbacMatcher {
    @Override
    public boolean matches(RbacRequest r) {
      return path.matches(r.pathNoQuery());
    }
  }

  /** Which address an IP matcher reads. */
  enum AddressSource {
    /** {@code destination_ip}: downstream local address. */
    LOCAL(RbacRequest::localAddress),
    /** {@code source_ip}: the connection's remote address. */
    SOURCE(RbacRequest::sourceAddress),
    /** {@code direct_remote_ip}: the physical peer. */
    DIRECT_REMOTE(RbacRequest::directRemoteAddress),
    /** {@code remote_ip}: after XFF / PROXY protocol. */
    REMOTE(RbacRequest::remoteAddress);

    final Function<RbacRequest, InetSocketAddress> read;

    AddressSource(Function<RbacRequest, InetSocketAddress> read) {
      this.read = read;
    }
  }

  /** An IP matcher: the address from {@code source} lies in {@code range}. */
  record Ip(AddressSource source, Cidr range) implements RbacMatcher {
    @Override
    public boolean matches(RbacRequest r) {
      return range.matches(source.read.apply(r));
    }
  }

  /** {@code destination_port} (start == end - 1) or {@code destination_port_range} [start, end). */
  record DestinationPort(int start, int end) implements RbacMatcher {
    @Override
    public boolean matches(RbacRequest r) {
      InetSocketAddress a = r.localAddress();
      if (a == null) {
        return false;
      }
      int p = a.getPort();
      return p >= start && p < end;
    }
  }

  /** {@code requested_server_name}: the downstream TLS SNI, empty when none. */
  record ServerName(StringMatch name) implements RbacMatcher {
    @Override
    public boolean matches(RbacRequest r) {
      String sni = r.requestedServerName();
      return name.matches(sni == null ? "" : sni);
    }
  }

  /**
   * {@code authenticated}: needs TLS; with no name, any peer with a certificate (Egret knows of a
   * certificate through its SANs or subject); else any URI SAN, then any DNS SAN, then the subject.
   */
  record Authenticated(StringMatch name) implements RbacMatcher {
    @Override
    public boolean matches(RbacRequest r) {
      if (!r.tls()) {
        return false;
      }
      List<String> uris = r.peerUriSans();
      List<String> dns = r.peerDnsSans();
      if (name == null) {
        return !uris.isEmpty() || !dns.isEmpty() || r.peerSubject() != null;
      }
      for (int i = 0; i < uris.size(); i++) {
        if (name.matches(uris.get(i))) {
          return true;
        }
      }
      for (int i = 0; i < dns.size(); i++) {
        if (name.matches(dns.get(i))) {
          return true;
        }
      }
      return name.matches(r.peerSubject());
    }
  }

  /** {@code filter_state}: a filter-state object's string form; absent never matches. */
  record FilterState(String key, StringMatch value) implements RbacMatcher {
    @Override
    public boolean matches(RbacRequest r) {
      return value.matches(r.filterState(key));
    }
  }
}
