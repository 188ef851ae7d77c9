package dev.egret.core.listener;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * A compiled input of the unified filter-chain matcher
 * ({@code envoy.extensions.matching.common_inputs.network.v3.*Input}): reads one fact of a new
 * connection as a string, in Envoy's text form, or null when the connection has no such fact.
 */
public interface NetworkInput {
  /** The input's value, or null ("no data": a map finds nothing, a predicate is false). */
  String read(ConnectionFacts f);

  /** Whether the value is an IP address (what an {@code IPMatcher} needs). */
  default boolean isIp() {
    return false;
  }

  /** An IP address input. */
  enum Ip implements NetworkInput {
    DESTINATION {
      @Override
      public InetAddress address(ConnectionFacts f) {
        return addr(f.local());
      }
    },
    SOURCE {
      @Override
      public InetAddress address(ConnectionFacts f) {
        return addr(f.remote());
      }
    },
    DIRECT_SOURCE {
      @Override
      public InetAddress address(ConnectionFacts f) {
        return addr(f.directRemote());
      }
    };

    public abstract InetAddress address(ConnectionFacts f);

    @Override
    public String read(ConnectionFacts f) {
      InetAddress a = address(f);
      return a == null ? null : IpPort.ip(a);
    }

    @Override
    public boolean isIp() {
      return true;
    }

    private static InetAddress addr(InetSocketAddress s) {
      return s == null ? null : s.getAddress();
    }
  }

  /** The other built-in inputs. */
  enum Simple implements NetworkInput {
    DESTINATION_PORT {
      @Override
      public String read(ConnectionFacts f) {
        return f.local() == null ? null : Integer.toString(f.local().getPort());
      }
    },
    SOURCE_PORT {
      @Override
      public String read(ConnectionFacts f) {
        return f.remote() == null ? null : Integer.toString(f.remote().getPort());
      }
    },
    SERVER_NAME {
      @Override
      public String read(ConnectionFacts f) {
        String s = f.serverName();
        return s == null || s.isEmpty() ? null : s;
      }
    },
    TRANSPORT_PROTOCOL {
      @Override
      public String read(ConnectionFacts f) {
        return f.transportProtocol();
      }
    },
    /** Envoy's form: each protocol in single quotes, comma separated ({@code 'h2c'}, {@code 'h2','http/1.1'}). */
    APPLICATION_PROTOCOL {
      @Override
      public String read(ConnectionFacts f) {
        List<String> p = f.applicationProtocols();
        if (p.isEmpty()) {
          return null;
        }
        StringBuilder sb = new StringBuilder();
        for (String s : p) {
          sb.append(sb.length() == 0 ? "" : ",").append('\'').append(s).append('\'');
        }
        return sb.toString();
      }
    },
    /** {@code local} for a peer on the same IP or loopback; no data otherwise. */
    SOURCE_TYPE {
      @Override
      public String read(ConnectionFacts f) {
        InetAddress r = f.remote() == null ? null : f.remote().getAddress();
        InetAddress l = f.local() == null ? null : f.local().getAddress();
        return r != null && (r.isLoopbackAddress() || r.equals(l)) ? "local" : null;
      }
    }
  }

  /** {@code FilterStateInput}: the string value of a connection filter-state key. */
  record FilterState(String key) implements NetworkInput {
    public FilterState {
      requireNonNull(key, "key");
    }

    @Override
    public String read(ConnectionFacts f) {
      return f.filterState().getString(key);
    }
  }
}
