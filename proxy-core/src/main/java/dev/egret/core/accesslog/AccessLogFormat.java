package dev.egret.core.accesslog;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.egret.core.config.ConfigPath;
import dev.egret.core.stream.StreamInfo;
import java.util.ArrayList;
import java.util.List;

/**
 * A compiled access-log format (Envoy's substitution format string): text or JSON, parsed once into
 * an array of {@link FormatOperator}s so that formatting an entry is a walk over that array with no
 * parsing, regex or {@code String.format}.
 *
 * <p>Text: each command's value is appended, an unset value as {@code -} (or nothing with
 * {@code omit_empty_values}); the format string carries its own newline. JSON: one object on one line
 * followed by {@code \n}, typed as Envoy's {@code json_format} is (see {@link #compileJson}).
 *
 * <p>Instances are immutable and may format from any thread.
 */
public final class AccessLogFormat {
  /** Envoy's format for a logger that configures none. */
  public static final String ENVOY_DEFAULT_FORMAT =
      "[%START_TIME%] \"%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%\" "
          + "%RESPONSE_CODE% %RESPONSE_FLAGS% %BYTES_RECEIVED% %BYTES_SENT% %DURATION% "
          + "%RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% \"%REQ(X-FORWARDED-FOR)%\" \"%REQ(USER-AGENT)%\" "
          + "\"%REQ(X-REQUEST-ID)%\" \"%REQ(:AUTHORITY)%\" \"%UPSTREAM_HOST%\"\n";

  /** Istio's text format ({@code meshConfig.accessLogEncoding: TEXT}, no custom format). */
  public static final String ISTIO_TEXT_FORMAT =
      "[%START_TIME%] \"%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%\" "
          + "%RESPONSE_CODE% %RESPONSE_FLAGS% %RESPONSE_CODE_DETAILS% %CONNECTION_TERMINATION_DETAILS% "
          + "\"%UPSTREAM_TRANSPORT_FAILURE_REASON%\" %BYTES_RECEIVED% %BYTES_SENT% %DURATION% "
          + "%RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% \"%REQ(X-FORWARDED-FOR)%\" \"%REQ(USER-AGENT)%\" "
          + "\"%REQ(X-REQUEST-ID)%\" \"%REQ(:AUTHORITY)%\" \"%UPSTREAM_HOST%\" %UPSTREAM_CLUSTER_RAW% "
          + "%UPSTREAM_LOCAL_ADDRESS% %DOWNSTREAM_LOCAL_ADDRESS% %DOWNSTREAM_REMOTE_ADDRESS% "
          + "%REQUESTED_SERVER_NAME% %ROUTE_NAME%\n";

  private static final String[][] ISTIO_JSON_KEYS = {
      {"start_time", "%START_TIME%"},
      {"route_name", "%ROUTE_NAME%"},
      {"method", "%REQ(:METHOD)%"},
      {"path", "%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%"},
      {"protocol", "%PROTOCOL%"},
      {"response_code", "%RESPONSE_CODE%"},
      {"response_flags", "%RESPONSE_FLAGS%"},
      {"response_code_details", "%RESPONSE_CODE_DETAILS%"},
      {"connection_termination_details", "%CONNECTION_TERMINATION_DETAILS%"},
      {"bytes_received", "%BYTES_RECEIVED%"},
      {"bytes_sent", "%BYTES_SENT%"},
      {"duration", "%DURATION%"},
      {"upstream_service_time", "%RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)%"},
      {"x_forwarded_for", "%REQ(X-FORWARDED-FOR)%"},
      {"user_agent", "%REQ(USER-AGENT)%"},
      {"request_id", "%REQ(X-REQUEST-ID)%"},
      {"authority", "%REQ(:AUTHORITY)%"},
      {"upstream_host", "%UPSTREAM_HOST%"},
      {"upstream_cluster", "%UPSTREAM_CLUSTER_RAW%"},
      {"upstream_local_address", "%UPSTREAM_LOCAL_ADDRESS%"},
      {"downstream_local_address", "%DOWNSTREAM_LOCAL_ADDRESS%"},
      {"downstream_remote_address", "%DOWNSTREAM_REMOTE_ADDRESS%"},
      {"requested_server_name", "%REQUESTED_SERVER_NAME%"},
      {"upstream_transport_failure_reason", "%UPSTREAM_TRANSPORT_FAILURE_REASON%"},
  };

  /** Renders one entry into a builder. */
  private interface Renderer {
    void render(StreamInfo info, StringBuilder out);
  }

  private final Renderer renderer;
  private final boolean json;

  private AccessLogFormat(Renderer renderer, boolean json) {
    this.renderer = renderer;
    this.json = json;
  }

  /** Compiles a text format with the built-in commands; null (errors reported to {@code at}) if bad. */
  public static AccessLogFormat compileText(String format, ConfigPath at) {
    return compileText(format, false, List.of(), at);
  }

  /**
   * Compiles a text format.
   *
   * @param omitEmptyValues unset values print as nothing instead of {@code -}
   * @param extraParsers    commands beyond the built-in ones, asked first
   * @return the format, or null when errors were reported to {@code at}
   */
  public static AccessLogFormat compileText(String format, boolean omitEmptyValues,
      List<CommandParser> extraParsers, ConfigPath at) {
    requireNonNull(format, "format");
    List<FormatOperator> ops = FormatParser.parse(format, parsers(extraParsers), at);
    if (ops == null) {
      return null;
    }
    FormatOperator[] array = ops.toArray(new FormatOperator[0]);
    String empty = omitEmptyValues ? "" : "-";
    return new AccessLogFormat((info, out) -> {
      for (FormatOperator op : array) {
        if (!op.append(info, out)) {
          out.append(empty);
        }
      }
    }, false);
  }

  /** Compiles a typed JSON format with the built-in commands; null if bad. */
  public static AccessLogFormat compileJson(Struct json, boolean omitEmptyValues,
      boolean sortProperties, ConfigPath at) {
    return compileJson(json, omitEmptyValues, sortProperties, List.of(), at);
  }

  /**
   * Compiles a typed JSON format ({@code SubstitutionFormatString.json_format}): a value that is one
   * numeric command ({@code %RESPONSE_CODE%}, {@code %DURATION%}, {@code %BYTES_*%}, …) renders as a
   * number, an unset one as {@code null} or, with {@code omitEmptyValues}, the key is dropped.
   * {@code %START_TIME%} and headers are strings; nested structs and lists are allowed. Keys are
   * sorted when {@code sortProperties}, otherwise kept in the order of the {@code Struct}.
   *
   * @return the format, or null when errors were reported to {@code at}
   */
  public static AccessLogFormat compileJson(Struct json, boolean omitEmptyValues,
      boolean sortProperties, List<CommandParser> extraParsers, ConfigPath at) {
    return json(json, new JsonTemplate.Options(true, omitEmptyValues, sortProperties,
        parsers(extraParsers)), at);
  }

  /**
   * Compiles the legacy untyped JSON map of {@code FileAccessLog.json_format}: every value is a
   * string and an unset value is {@code "-"}.
   */
  public static AccessLogFormat compileLegacyJson(Struct json, List<CommandParser> extraParsers,
      ConfigPath at) {
    return json(json, new JsonTemplate.Options(false, false, false, parsers(extraParsers)), at);
  }

  private static AccessLogFormat json(Struct json, JsonTemplate.Options options, ConfigPath at) {
    requireNonNull(json, "json");
    int errors = at.errorCount();
    JsonTemplate.Node root = JsonTemplate.compileStruct(json, options, at);
    if (at.errorCount() > errors) {
      return null;
    }
    return new AccessLogFormat((info, out) -> {
      root.write(info, out);
      out.append('\n');
    }, true);
  }

  /** Envoy's default format ({@link #ENVOY_DEFAULT_FORMAT}). */
  public static AccessLogFormat envoyDefault() {
    return Defaults.ENVOY;
  }

  /** Istio's text format ({@link #ISTIO_TEXT_FORMAT}). */
  public static AccessLogFormat istioText() {
    return Defaults.ISTIO_TEXT;
  }

  /** Istio's JSON format (Istio's keys, typed, unsorted, empty values kept). */
  public static AccessLogFormat istioJson() {
    return Defaults.ISTIO_JSON;
  }

  /** Istio's JSON format as the {@code Struct} Istio sends in {@code json_format}. */
  public static Struct istioJsonStruct() {
    Struct.Builder b = Struct.newBuilder();
    for (String[] kv : ISTIO_JSON_KEYS) {
      b.putFields(kv[0], Value.newBuilder().setStringValue(kv[1]).build());
    }
    return b.build();
  }

  /** True for JSON formats. */
  public boolean isJson() {
    return json;
  }

  /** Formats one entry. */
  public String format(StreamInfo info) {
    StringBuilder sb = new StringBuilder(256);
    formatTo(info, sb);
    return sb.toString();
  }

  /** Appends one formatted entry to {@code out}. */
  public void formatTo(StreamInfo info, StringBuilder out) {
    renderer.render(requireNonNull(info, "info"), out);
  }

  private static List<CommandParser> parsers(List<CommandParser> extra) {
    List<CommandParser> all = new ArrayList<>(extra.size() + 1);
    all.addAll(extra);
    all.add(BuiltinCommands.INSTANCE);
    return List.copyOf(all);
  }

  /** The fixed formats, compiled once. */
  private static final class Defaults {
    static final AccessLogFormat ENVOY = fixed(ENVOY_DEFAULT_FORMAT);
    static final AccessLogFormat ISTIO_TEXT = fixed(ISTIO_TEXT_FORMAT);
    static final AccessLogFormat ISTIO_JSON;

    static {
      ConfigPath at = ConfigPath.root("istio_json");
      ISTIO_JSON = compileJson(istioJsonStruct(), false, false, at);
      if (ISTIO_JSON == null) {
        throw new IllegalStateException(at.errors().toString());
      }
    }

    private static AccessLogFormat fixed(String format) {
      ConfigPath at = ConfigPath.root("format");
      AccessLogFormat f = compileText(format, at);
      if (f == null) {
        throw new IllegalStateException(at.errors().toString());
      }
      return f;
    }
  }
}
