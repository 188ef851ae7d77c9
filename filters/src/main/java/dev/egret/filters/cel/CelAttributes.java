package dev.egret.filters.cel;

import dev.cel.common.types.CelType;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The attributes CEL expressions in Egret may read: Envoy's attribute vocabulary for what exists
 * when a request's headers have arrived. Each is declared as a qualified variable
 * ({@code request.path}, {@code connection.mtls}, …) with its type, so the checker rejects a
 * misspelt attribute ({@code undeclared reference}) or a type mismatch when the configuration is
 * compiled. At run time a {@link CelActivation} supplies the values, lazily, by the same names;
 * an attribute it cannot supply makes the expression an error, which callers treat as "no match".
 *
 * <p>Value types at run time: strings as {@link String}; {@code int} as {@link Long}; {@code uint}
 * as {@code com.google.common.primitives.UnsignedLong}; {@code timestamp} as
 * {@code com.google.protobuf.Timestamp}; maps as {@link Map}.
 */
public final class CelAttributes {
  private CelAttributes() {}

  private static final CelType STRING_MAP = MapType.create(SimpleType.STRING, SimpleType.STRING);

  /** Name → type of every declared attribute, in a stable order. */
  public static final Map<String, CelType> DECLARED = declared();

  private static Map<String, CelType> declared() {
    Map<String, CelType> m = new LinkedHashMap<>();
    for (String s : new String[] {"path", "url_path", "host", "scheme", "method", "referer", "useragent", "id",
        "protocol", "query"}) {
      m.put("request." + s, SimpleType.STRING);
    }
    m.put("request.headers", STRING_MAP);
    m.put("request.time", SimpleType.TIMESTAMP);
    m.put("request.size", SimpleType.INT);
    m.put("request.total_size", SimpleType.INT);
    m.put("request.duration", SimpleType.DURATION);
    m.put("request.headers_bytes", SimpleType.UINT);
    for (String side : new String[] {"source", "destination"}) {
      m.put(side + ".address", SimpleType.STRING);
      m.put(side + ".port", SimpleType.INT);
    }
    m.put("connection.id", SimpleType.UINT);
    m.put("connection.mtls", SimpleType.BOOL);
    for (String s : new String[] {"requested_server_name", "tls_version", "subject_local_certificate",
        "subject_peer_certificate", "dns_san_local_certificate", "dns_san_peer_certificate",
        "uri_san_local_certificate", "uri_san_peer_certificate", "sha256_peer_certificate_digest",
        "transport_failure_reason"}) {
      m.put("connection." + s, SimpleType.STRING);
    }
    m.put("connection.peer_certificate", SimpleType.STRING);
    m.put("metadata.filter_metadata", MapType.create(SimpleType.STRING, MapType.create(SimpleType.STRING,
        SimpleType.DYN)));
    m.put("filter_state", STRING_MAP);
    for (String s : new String[] {"route_name", "virtual_host_name", "cluster_name", "filter_chain_name",
        "listener_direction"}) {
      m.put("xds." + s, SimpleType.STRING);
    }
    return java.util.Collections.unmodifiableMap(m);
  }
}
