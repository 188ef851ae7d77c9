package dev.egret.core.admin;

import dev.egret.core.accesslog.AccessLogEntry;
import dev.egret.core.accesslog.RecentAccessLog;
import dev.egret.core.stream.ResponseFlag;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * {@code /access_log}: the runtime's {@link RecentAccessLog}, newest first, filtered by query
 * parameters that must all hold:
 * <ul>
 *   <li>{@code response_flags=URX,UF}: some listed flag was set (short names);</li>
 *   <li>{@code status=503} or {@code status=5xx} (several allowed, comma-separated: any matches;
 *       {@code 0} is a stream that sent no response);</li>
 *   <li>{@code cluster=NAME}: the upstream cluster's name;</li>
 *   <li>{@code since=2025-06-30T02:48:20Z}: started at or after this ISO-8601 instant (an offset
 *       such as {@code +02:00} is allowed);</li>
 *   <li>{@code limit=50}: at most this many entries (default {@value #DEFAULT_LIMIT});</li>
 *   <li>{@code format=text} (default: Envoy's default log format, one line per entry) or
 *       {@code format=json} (an object with {@code capacity}, {@code recorded} and
 *       {@code entries}, see {@link AccessLogEntry#appendJson}).</li>
 * </ul>
 * A malformed or unknown parameter is answered 400 with the reason.
 */
final class AccessLogEndpoint {
  static final int DEFAULT_LIMIT = 100;
  private static final Set<String> PARAMS =
      Set.of("response_flags", "status", "cluster", "since", "limit", "format");

  private AccessLogEndpoint() {}

  /** Thrown for a bad query; its message is the 400 body. */
  private static final class BadQuery extends Exception {
    BadQuery(String message) {
      super(message, null, false, false);
    }
  }

  static AdminResponse render(RecentAccessLog ring, Map<String, List<String>> q) {
    Predicate<AccessLogEntry> filter;
    int limit;
    boolean json;
    try {
      for (String name : q.keySet()) {
        if (!PARAMS.contains(name)) {
          throw new BadQuery("unknown parameter '" + name + "' (supported: cluster, format, limit, "
              + "response_flags, since, status)");
        }
      }
      filter = flags(param(q, "response_flags"))
          .and(status(param(q, "status")))
          .and(cluster(param(q, "cluster")))
          .and(since(param(q, "since")));
      limit = limit(param(q, "limit"));
      String format = param(q, "format");
      if (format != null && !format.equals("text") && !format.equals("json")) {
        throw new BadQuery("format must be text or json, got '" + format + "'");
      }
      json = "json".equals(format);
    } catch (BadQuery e) {
      return AdminResponse.text(HttpResponseStatus.BAD_REQUEST, e.getMessage() + "\n");
    }
    StringBuilder sb = new StringBuilder(256);
    if (json) {
      sb.append("{\"capacity\":").append(ring.capacity())
          .append(",\"recorded\":").append(ring.recorded()).append(",\"entries\":[");
    }
    int n = 0;
    for (AccessLogEntry e : ring.newestFirst()) {
      if (n >= limit) {
        break;
      }
      if (!filter.test(e)) {
        continue;
      }
      if (json) {
        sb.append(n == 0 ? "\n" : ",\n");
        e.appendJson(sb);
      } else {
        sb.append(e.envoyDefaultLine());
      }
      n++;
    }
    if (json) {
      sb.append(n == 0 ? "]}\n" : "\n]}\n");
      return AdminResponse.json(sb.toString());
    }
    return AdminResponse.text(HttpResponseStatus.OK, sb.toString());
  }

  private static Predicate<AccessLogEntry> flags(String v) throws BadQuery {
    if (v == null) {
      return e -> true;
    }
    Set<ResponseFlag> wanted = EnumSet.noneOf(ResponseFlag.class);
    for (String name : v.split(",", -1)) {
      ResponseFlag f = ResponseFlag.ofShortName(name.trim());
      if (f == null) {
        throw new BadQuery("unknown response flag '" + name.trim() + "' in response_flags");
      }
      wanted.add(f);
    }
    return e -> e.flags().stream().anyMatch(wanted::contains);
  }

  private static Predicate<AccessLogEntry> status(String v) throws BadQuery {
    if (v == null) {
      return e -> true;
    }
    Predicate<AccessLogEntry> any = e -> false;
    for (String s : v.split(",", -1)) {
      any = any.or(oneStatus(s.trim()));
    }
    return any;
  }

  private static Predicate<AccessLogEntry> oneStatus(String s) throws BadQuery {
    if (s.length() == 3 && s.charAt(0) >= '1' && s.charAt(0) <= '5'
        && (s.endsWith("xx") || s.endsWith("XX"))) {
      int cls = s.charAt(0) - '0';
      return e -> e.status() / 100 == cls;
    }
    try {
      int code = Integer.parseInt(s);
      if (code < 0 || code > 999) {
        throw new NumberFormatException();
      }
      return e -> e.status() == code;
    } catch (NumberFormatException e) {
      throw new BadQuery("status must be a code (503) or a class (5xx), got '" + s + "'");
    }
  }

  private static Predicate<AccessLogEntry> cluster(String v) {
    return v == null ? e -> true : e -> v.equals(e.cluster());
  }

  private static Predicate<AccessLogEntry> since(String v) throws BadQuery {
    if (v == null) {
      return e -> true;
    }
    long millis;
    try {
      millis = Instant.parse(v).toEpochMilli();
    } catch (DateTimeParseException e) {
      try {
        millis = OffsetDateTime.parse(v).toInstant().toEpochMilli();
      } catch (DateTimeParseException e2) {
        throw new BadQuery("since must be an ISO-8601 time such as 2025-06-30T02:48:20Z, got '"
            + v + "'");
      }
    }
    long from = millis;
    return e -> e.startEpochMillis() >= from;
  }

  private static int limit(String v) throws BadQuery {
    if (v == null) {
      return DEFAULT_LIMIT;
    }
    try {
      int n = Integer.parseInt(v);
      if (n < 1) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new BadQuery("limit must be a positive integer, got '" + v + "'");
    }
  }

  private static String param(Map<String, List<String>> q, String name) {
    List<String> v = q.get(name);
    return v == null || v.isEmpty() ? null : v.get(0);
  }
}
