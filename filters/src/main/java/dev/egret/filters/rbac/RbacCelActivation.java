package dev.egret.filters.rbac;

import com.google.protobuf.ListValue;
import com.google.protobuf.NullValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Timestamp;
import com.google.protobuf.Value;
import dev.egret.filters.cel.CelActivation;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetSocketAddress;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The CEL attributes ({@link dev.egret.filters.cel.CelAttributes}) of one {@link RbacRequest},
 * each computed when an expression first reads it. {@code source.address} and
 * {@code destination.address} are {@code ip:port} as in Envoy; {@code request.headers} has lower-case
 * names with the values of a repeated header joined by {@code ,}; {@code request.size} is the
 * {@code content-length}; {@code metadata.filter_metadata} and {@code filter_state} are looked up
 * by key (a CEL expression that iterates them sees them empty). Attributes Egret does not know at
 * this point (connection id, TLS version, request duration …) are absent: reading one makes the
 * expression an error, so the condition does not match.
 */
final class RbacCelActivation implements CelActivation {
  private final RbacRequest r;
  private Map<String, String> headers; // joined, built once

  RbacCelActivation(RbacRequest r) {
    this.r = r;
  }

  @Override
  public Object attribute(String name) {
    return switch (name) {
      case "request.path" -> r.path();
      case "request.url_path" -> r.pathNoQuery();
      case "request.host" -> r.authority();
      case "request.scheme" -> r.scheme();
      case "request.method" -> r.method();
      case "request.headers" -> headers();
      case "request.referer" -> header("referer");
      case "request.useragent" -> header("user-agent");
      case "request.id" -> header("x-request-id");
      case "request.protocol" -> r.protocol();
      case "request.query" -> query(r.path());
      case "request.time" -> r.startEpochMillis() < 0 ? null : Timestamp.newBuilder()
          .setSeconds(Math.floorDiv(r.startEpochMillis(), 1000))
          .setNanos(Math.floorMod(r.startEpochMillis(), 1000) * 1_000_000).build();
      case "request.size" -> contentLength();
      case "source.address" -> address(r.remoteAddress());
      case "source.port" -> port(r.remoteAddress());
      case "destination.address" -> address(r.localAddress());
      case "destination.port" -> port(r.localAddress());
      case "connection.mtls" -> r.tls() && (!r.peerUriSans().isEmpty() || !r.peerDnsSans().isEmpty()
          || r.peerSubject() != null);
      case "connection.requested_server_name" -> r.requestedServerName() == null ? "" : r.requestedServerName();
      case "connection.uri_san_peer_certificate" -> first(r.peerUriSans());
      case "connection.dns_san_peer_certificate" -> first(r.peerDnsSans());
      case "connection.subject_peer_certificate" -> r.peerSubject();
      case "connection.uri_san_local_certificate" -> r.localUriSan();
      case "metadata.filter_metadata" -> new LookupMap<>(ns -> {
        Struct s = r.dynamicMetadata(ns);
        return s == null ? null : struct(s);
      });
      case "filter_state" -> new LookupMap<>(r::filterState);
      case "xds.route_name" -> r.routeName();
      case "xds.virtual_host_name" -> r.virtualHostName();
      default -> null;
    };
  }

  private Map<String, String> headers() {
    Map<String, String> h = headers;
    if (h == null) {
      h = new HashMap<>();
      HttpHeaders in = r.headers();
      for (Map.Entry<String, String> e : in) {
        h.merge(e.getKey().toLowerCase(Locale.ROOT), e.getValue(), (a, b) -> a + "," + b);
      }
      if (r.authority() != null) {
        h.putIfAbsent(":authority", r.authority());
      }
      if (r.path() != null) {
        h.putIfAbsent(":path", r.path());
      }
      h.putIfAbsent(":method", r.method());
      h.putIfAbsent(":scheme", r.scheme());
      headers = h;
    }
    return h;
  }

  private String header(String name) {
    return headers().get(name);
  }

  private Long contentLength() {
    String v = header("content-length");
    if (v == null) {
      return null;
    }
    try {
      return Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static String query(String path) {
    if (path == null) {
      return null;
    }
    int q = path.indexOf('?');
    if (q < 0) {
      return "";
    }
    int hash = path.indexOf('#', q);
    return path.substring(q + 1, hash < 0 ? path.length() : hash);
  }

  private static String address(InetSocketAddress a) {
    if (a == null) {
      return null;
    }
    String ip = a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress();
    return (ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip) + ":" + a.getPort();
  }

  private static Long port(InetSocketAddress a) {
    return a == null ? null : (long) a.getPort();
  }

  private static String first(List<String> l) {
    return l.isEmpty() ? null : l.get(0);
  }

  static Map<String, Object> struct(Struct s) {
    Map<String, Object> out = new LinkedHashMap<>();
    s.getFieldsMap().forEach((k, v) -> out.put(k, value(v)));
    return out;
  }

  private static Object value(Value v) {
    return switch (v.getKindCase()) {
      case NUMBER_VALUE -> v.getNumberValue();
      case STRING_VALUE -> v.getStringValue();
      case BOOL_VALUE -> v.getBoolValue();
      case STRUCT_VALUE -> struct(v.getStructValue());
      case LIST_VALUE -> list(v.getListValue());
      default -> NullValue.NULL_VALUE;
    };
  }

  private static List<Object> list(ListValue l) {
    List<Object> out = new ArrayList<>(l.getValuesCount());
    for (Value v : l.getValuesList()) {
      out.add(value(v));
    }
    return out;
  }

  /** A map read by key only (CEL indexing and {@code in}); its iteration is empty. */
  private static final class LookupMap<V> extends AbstractMap<String, V> {
    private final Function<String, V> lookup;

    LookupMap(Function<String, V> lookup) {
      this.lookup = lookup;
    }

    @Override
    public V get(Object key) {
      return key instanceof String k ? lookup.apply(k) : null;
    }

    @Override
    public boolean containsKey(Object key) {
      return get(key) != null;
    }

    @Override
    public Set<Entry<String, V>> entrySet() {
      return Set.of();
    }
  }
}
