package dev.egret.core.accesslog;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import dev.egret.core.config.ConfigPath;
import dev.egret.core.config.Fields;
import dev.egret.core.stream.StreamInfo;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.SubstitutionFormatString;
import io.envoyproxy.envoy.extensions.access_loggers.file.v3.FileAccessLog;
import io.envoyproxy.envoy.extensions.access_loggers.stream.v3.StderrAccessLog;
import io.envoyproxy.envoy.extensions.access_loggers.stream.v3.StdoutAccessLog;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Compiles Envoy {@code access_log} entries ({@code envoy.config.accesslog.v3.AccessLog}) into
 * {@link AccessLog}s that enqueue on an {@link AccessLogWriter}.
 *
 * <p>Supported {@code typed_config}s: {@code FileAccessLog} ({@code path}; {@code log_format}, or the
 * deprecated {@code format}, {@code json_format} (untyped) and {@code typed_json_format}),
 * {@code StdoutAccessLog} and {@code StderrAccessLog} ({@code log_format}). Without a format, Envoy's
 * default format is used. In {@code log_format}: {@code text_format}, {@code text_format_source}
 * (inline), {@code json_format}, {@code omit_empty_values}, {@code json_format_options.sort_properties};
 * {@code content_type} is accepted and has no effect on access logs (as in Envoy). Everything else
 * (other logger types, {@code formatters} extensions, unsupported filters) is an error naming the
 * field and, for extensions, the type URL.
 *
 * <p>An entry's {@code filter} is compiled by {@link AccessLogFilters} and evaluated on the event
 * loop before the entry is enqueued, so filtered-out streams cost neither a queue slot nor a format.
 */
public final class AccessLogs {
  static final String FILE_TYPE =
      "type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog";
  static final String STDOUT_TYPE =
      "type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StdoutAccessLog";
  static final String STDERR_TYPE =
      "type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StderrAccessLog";

  private AccessLogs() {}

  /** Compiles with the built-in commands only. */
  public static List<AccessLog> compile(
      List<io.envoyproxy.envoy.config.accesslog.v3.AccessLog> protos, ConfigPath at,
      AccessLogWriter writer) {
    return compile(protos, at, writer, List.of());
  }

  /**
   * Compiles every entry; errors go to {@code at} (as {@code at[i].typed_config…}). Entries with
   * errors are left out of the result, so callers must check {@code at} for errors. File sinks are
   * opened (for append) while compiling.
   *
   * @param at           the path of the {@code access_log} list field
   * @param extraParsers commands beyond the built-in ones (filter state, dynamic metadata, …)
   */
  public static List<AccessLog> compile(
      List<io.envoyproxy.envoy.config.accesslog.v3.AccessLog> protos, ConfigPath at,
      AccessLogWriter writer, List<CommandParser> extraParsers) {
    requireNonNull(writer, "writer");
    requireNonNull(extraParsers, "extraParsers");
    List<AccessLog> out = new ArrayList<>(protos.size());
    for (int i = 0; i < protos.size(); i++) {
      AccessLog log = compileOne(protos.get(i), at.index(i), writer, extraParsers);
      if (log != null) {
        out.add(log);
      }
    }
    return List.copyOf(out);
  }

  private static AccessLog compileOne(io.envoyproxy.envoy.config.accesslog.v3.AccessLog proto,
      ConfigPath at, AccessLogWriter writer, List<CommandParser> parsers) {
    int errors = at.errorCount();
    Fields.allowOnly(proto, at, Set.of("name", "typed_config", "filter"));
    AccessLogFilter filter = proto.hasFilter()
        ? AccessLogFilters.compile(proto.getFilter(), at.field("filter"))
        : AccessLogFilter.ALWAYS;
    if (!proto.hasTypedConfig()) {
      at.error("access log '" + proto.getName() + "' has no typed_config");
      return null;
    }
    Any any = proto.getTypedConfig();
    ConfigPath tc = at.field("typed_config");
    String url = any.getTypeUrl();
    AccessLogFormat format;
    AccessLogSink sink = null;
    switch (url) {
      case FILE_TYPE -> {
        FileAccessLog file = unpack(any, FileAccessLog.class, tc);
        if (file == null) {
          return null;
        }
        format = fileFormat(file, tc, parsers);
        sink = fileSink(file.getPath(), tc.field("path"), writer);
      }
      case STDOUT_TYPE -> {
        StdoutAccessLog s = unpack(any, StdoutAccessLog.class, tc);
        if (s == null) {
          return null;
        }
        Fields.allowOnly(s, tc, Set.of("log_format"));
        format = s.hasLogFormat()
            ? compileFormat(s.getLogFormat(), tc.field("log_format"), parsers)
            : AccessLogFormat.envoyDefault();
        sink = writer.stdout();
      }
      case STDERR_TYPE -> {
        StderrAccessLog s = unpack(any, StderrAccessLog.class, tc);
        if (s == null) {
          return null;
        }
        Fields.allowOnly(s, tc, Set.of("log_format"));
        format = s.hasLogFormat()
            ? compileFormat(s.getLogFormat(), tc.field("log_format"), parsers)
            : AccessLogFormat.envoyDefault();
        sink = writer.stderr();
      }
      default -> {
        tc.error("unsupported access logger type '" + url + "' (Egret supports " + FILE_TYPE + ", "
            + STDOUT_TYPE + " and " + STDERR_TYPE + ")");
        return null;
      }
    }
    if (at.errorCount() > errors || format == null || sink == null || filter == null) {
      return null;
    }
    return new QueuedAccessLog(filter, format, sink, writer);
  }

  private static AccessLogFormat fileFormat(FileAccessLog file, ConfigPath at,
      List<CommandParser> parsers) {
    Fields.allowOnly(file, at, Set.of("path", "format", "json_format", "typed_json_format",
        "log_format"));
    return switch (file.getAccessLogFormatCase()) {
      case FORMAT -> file.getFormat().isEmpty()
          ? AccessLogFormat.envoyDefault()
          : AccessLogFormat.compileText(file.getFormat(), false, parsers, at.field("format"));
      case JSON_FORMAT -> AccessLogFormat.compileLegacyJson(file.getJsonFormat(), parsers,
          at.field("json_format"));
      case TYPED_JSON_FORMAT -> AccessLogFormat.compileJson(file.getTypedJsonFormat(), false, false,
          parsers, at.field("typed_json_format"));
      case LOG_FORMAT -> compileFormat(file.getLogFormat(), at.field("log_format"), parsers);
      default -> AccessLogFormat.envoyDefault();
    };
  }

  /** Compiles a {@code SubstitutionFormatString}; null when errors were reported. */
  static AccessLogFormat compileFormat(SubstitutionFormatString f, ConfigPath at,
      List<CommandParser> parsers) {
    int errors = at.errorCount();
    Fields.allowOnly(f, at, Set.of("text_format", "json_format", "text_format_source",
        "omit_empty_values", "json_format_options", "content_type", "formatters"));
    for (int i = 0; i < f.getFormattersCount(); i++) {
      at.field("formatters").index(i).error("formatter extension '"
          + f.getFormatters(i).getTypedConfig().getTypeUrl() + "' (" + f.getFormatters(i).getName()
          + ") is not supported by Egret");
    }
    boolean omit = f.getOmitEmptyValues();
    AccessLogFormat result;
    switch (f.getFormatCase()) {
      case TEXT_FORMAT -> result = AccessLogFormat.compileText(f.getTextFormat(), omit, parsers,
          at.field("text_format"));
      case TEXT_FORMAT_SOURCE -> {
        ConfigPath src = at.field("text_format_source");
        DataSource ds = f.getTextFormatSource();
        Fields.allowOnly(ds, src, Set.of("inline_string", "inline_bytes"));
        String text = switch (ds.getSpecifierCase()) {
          case INLINE_STRING -> ds.getInlineString();
          case INLINE_BYTES -> ds.getInlineBytes().toStringUtf8();
          default -> null;
        };
        result = text == null ? null : AccessLogFormat.compileText(text, omit, parsers, src);
      }
      case JSON_FORMAT -> {
        ConfigPath opts = at.field("json_format_options");
        Fields.allowOnly(f.getJsonFormatOptions(), opts, Set.of("sort_properties"));
        result = AccessLogFormat.compileJson(f.getJsonFormat(), omit,
            f.getJsonFormatOptions().getSortProperties(), parsers, at.field("json_format"));
      }
      default -> {
        at.error("log_format must set text_format, text_format_source or json_format");
        result = null;
      }
    }
    return at.errorCount() > errors ? null : result;
  }

  private static AccessLogSink fileSink(String path, ConfigPath at, AccessLogWriter writer) {
    if (path.isEmpty()) {
      at.error("access log path must not be empty");
      return null;
    }
    try {
      return writer.file(path);
    } catch (IOException | RuntimeException e) {
      at.error("cannot open access log file '" + path + "': " + e);
      return null;
    }
  }

  private static <T extends Message> T unpack(Any any, Class<T> type, ConfigPath at) {
    try {
      return any.unpack(type);
    } catch (InvalidProtocolBufferException e) {
      at.error("cannot decode " + any.getTypeUrl() + ": " + e.getMessage());
      return null;
    }
  }

  /** A compiled logger: hands the entries its filter accepts to the writer. */
  private record QueuedAccessLog(AccessLogFilter filter, AccessLogFormat format, AccessLogSink sink,
      AccessLogWriter writer) implements AccessLog {
    @Override
    public void log(StreamInfo info) {
      if (filter.test(info)) {
        writer.enqueue(format, sink, info);
      }
    }
  }
}
