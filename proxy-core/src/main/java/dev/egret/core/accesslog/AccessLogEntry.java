package dev.egret.core.accesslog;

import static java.util.Objects.requireNonNull;

import dev.egret.core.stream.ResponseFlag;
import dev.egret.core.stream.StreamInfo;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * An immutable summary of one finished stream, as kept by {@link RecentAccessLog}: the fields
 * operators filter and read, copied out of the {@link StreamInfo} so that the stream's headers and
 * buffers are not retained. Every text field is cut to {@link #MAX_FIELD_CHARS} characters, so an
 * entry stays small whatever the request carried. A null field was unset (a header that was present
 * but empty is the empty string).
 *
 * @param startEpochMillis       when the stream started
 * @param method                 request method; null when no request headers were decoded
 * @param authority              {@code :authority} ({@code host})
 * @param path                   {@code x-envoy-original-path} if set, else {@code :path}
 * @param protocol               {@code HTTP/1.1}, {@code HTTP/2}…
 * @param status                 response code, 0 when none was sent
 * @param flags                  response flags in the order set
 * @param details                {@code %RESPONSE_CODE_DETAILS%}
 * @param durationMillis         {@code %DURATION%}, -1 if unknown
 * @param cluster                upstream cluster name (never the alt stat name)
 * @param upstreamHost           upstream {@code ip:port}
 * @param attemptCount           upstream attempts (1 + retries; 0 = never attempted)
 * @param transportFailureReason {@code %UPSTREAM_TRANSPORT_FAILURE_REASON%}
 * @param requestId              {@code x-request-id}
 * @param userAgent              {@code user-agent}
 * @param forwardedFor           {@code x-forwarded-for}
 * @param upstreamServiceTime    response header {@code x-envoy-upstream-service-time}
 */
public record AccessLogEntry(long startEpochMillis, String method, String authority, String path,
    String protocol, int status, List<ResponseFlag> flags, String details, long durationMillis,
    long bytesReceived, long bytesSent, String cluster, String upstreamHost, int attemptCount,
    String transportFailureReason, String requestId, String userAgent, String forwardedFor,
    String upstreamServiceTime) {

  /** The longest text kept per field. */
  public static final int MAX_FIELD_CHARS = 1024;

  private static final DateTimeFormatter ISO_MILLIS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  public AccessLogEntry {
    flags = List.copyOf(flags);
    method = cut(method);
    authority = cut(authority);
    path = cut(path);
    protocol = cut(protocol);
    details = cut(details);
    cluster = cut(cluster);
    upstreamHost = cut(upstreamHost);
    transportFailureReason = cut(transportFailureReason);
    requestId = cut(requestId);
    userAgent = cut(userAgent);
    forwardedFor = cut(forwardedFor);
    upstreamServiceTime = cut(upstreamServiceTime);
  }

  /** Copies the summary out of a finished stream. */
  public static AccessLogEntry of(StreamInfo info) {
    requireNonNull(info, "info");
    HttpRequest req = info.request();
    HttpHeaders h = req == null ? null : req.headers();
    String path = null;
    if (req != null) {
      path = info.originalPath() != null ? info.originalPath() : header(h, "x-envoy-original-path");
      if (path == null) {
        path = req.uri();
      }
    }
    HttpResponse resp = info.response();
    return new AccessLogEntry(info.startEpochMillis(),
        req == null ? null : req.method().name(), header(h, "host"), path, info.protocol(),
        info.responseCode(), info.flags(), info.responseCodeDetails(), info.durationMillis(),
        info.bytesReceived(), info.bytesSent(), info.upstreamClusterName(), info.upstreamHost(),
        info.attemptCount(), info.upstreamTransportFailureReason(), header(h, "x-request-id"),
        header(h, "user-agent"), header(h, "x-forwarded-for"),
        resp == null ? null : header(resp.headers(), "x-envoy-upstream-service-time"));
  }

  /** When the stream started. */
  public Instant startTime() {
    return Instant.ofEpochMilli(startEpochMillis);
  }

  /** {@code %RESPONSE_FLAGS%}: short names joined with {@code ,}, or {@code -}. */
  public String flagsText() {
    if (flags.isEmpty()) {
      return "-";
    }
    StringBuilder sb = new StringBuilder();
    for (ResponseFlag f : flags) {
      if (sb.length() > 0) {
        sb.append(',');
      }
      sb.append(f.shortName());
    }
    return sb.toString();
  }

  /** The entry as a line of Envoy's default format, with its newline. */
  public String envoyDefaultLine() {
    return AccessLogFormat.envoyDefault().format(toStreamInfo());
  }

  /**
   * A stream carrying this summary's facts, for formatting with any {@link AccessLogFormat}; facts
   * not summarised are unset.
   */
  public StreamInfo toStreamInfo() {
    StreamInfo info = new StreamInfo(startEpochMillis, 0);
    if (durationMillis >= 0) {
      info.markEnd(durationMillis * 1_000_000L);
    }
    info.setProtocol(protocol);
    if (method != null) {
      HttpRequest req = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(method),
          path == null ? "/" : path);
      add(req.headers(), "host", authority);
      add(req.headers(), "x-request-id", requestId);
      add(req.headers(), "user-agent", userAgent);
      add(req.headers(), "x-forwarded-for", forwardedFor);
      info.setRequest(req);
    }
    if (status > 0) {
      HttpResponse resp = new DefaultHttpResponse(HttpVersion.HTTP_1_1,
          HttpResponseStatus.valueOf(status));
      add(resp.headers(), "x-envoy-upstream-service-time", upstreamServiceTime);
      info.setResponse(resp);
    }
    flags.forEach(info::setFlag);
    info.setResponseCodeDetails(details);
    info.addBytesReceived(bytesReceived);
    info.addBytesSent(bytesSent);
    info.setUpstreamCluster(cluster, null);
    info.setUpstreamHost(upstreamHost);
    info.setAttemptCount(attemptCount);
    info.setUpstreamTransportFailureReason(transportFailureReason);
    return info;
  }

  /**
   * Appends the entry as one JSON object, with Istio's JSON keys where Istio has one and
   * {@code attempt_count} for the attempts; unset values are {@code null}.
   */
  public void appendJson(StringBuilder out) {
    out.append("{\"start_time\":");
    Json.appendString(ISO_MILLIS.format(startTime()), out);
    str(out, "method", method);
    str(out, "authority", authority);
    str(out, "path", path);
    str(out, "protocol", protocol);
    out.append(",\"response_code\":").append(status);
    str(out, "response_flags", flagsText());
    str(out, "response_code_details", details);
    out.append(",\"duration\":");
    if (durationMillis >= 0) {
      out.append(durationMillis);
    } else {
      out.append("null");
    }
    out.append(",\"bytes_received\":").append(bytesReceived);
    out.append(",\"bytes_sent\":").append(bytesSent);
    str(out, "upstream_cluster", cluster);
    str(out, "upstream_host", upstreamHost);
    out.append(",\"attempt_count\":").append(attemptCount);
    str(out, "upstream_transport_failure_reason", transportFailureReason);
    str(out, "request_id", requestId);
    str(out, "user_agent", userAgent);
    str(out, "x_forwarded_for", forwardedFor);
    str(out, "upstream_service_time", upstreamServiceTime);
    out.append('}');
  }

  private static void str(StringBuilder out, String key, String value) {
    out.append(",\"").append(key).append("\":");
    if (value == null) {
      out.append("null");
    } else {
      Json.appendString(value, out);
    }
  }

  private static void add(HttpHeaders h, String name, String value) {
    if (value != null) {
      h.add(name, value);
    }
  }

  private static String header(HttpHeaders h, String name) {
    if (h == null) {
      return null;
    }
    List<String> all = h.getAll(name);
    if (all.isEmpty()) {
      return null;
    }
    return all.size() == 1 ? all.get(0) : String.join(",", all);
  }

  private static String cut(String s) {
    return s == null || s.length() <= MAX_FIELD_CHARS ? s : s.substring(0, MAX_FIELD_CHARS);
  }
}
