package dev.egret.core.accesslog;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.egret.core.config.ConfigError;
import dev.egret.core.config.ConfigPath;
import dev.egret.core.stats.StatCounter;
import dev.egret.core.stream.StreamInfo;
import io.envoyproxy.envoy.config.accesslog.v3.AccessLogFilter;
import io.envoyproxy.envoy.config.accesslog.v3.ComparisonFilter;
import io.envoyproxy.envoy.config.accesslog.v3.GrpcStatusFilter;
import io.envoyproxy.envoy.config.accesslog.v3.StatusCodeFilter;
import io.envoyproxy.envoy.config.core.v3.RuntimeUInt32;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.JsonFormatOptions;
import io.envoyproxy.envoy.config.core.v3.SubstitutionFormatString;
import io.envoyproxy.envoy.config.core.v3.TypedExtensionConfig;
import io.envoyproxy.envoy.extensions.access_loggers.file.v3.FileAccessLog;
import io.envoyproxy.envoy.extensions.access_loggers.stream.v3.StderrAccessLog;
import io.envoyproxy.envoy.extensions.access_loggers.stream.v3.StdoutAccessLog;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Compiling Envoy access_log protos. */
class AccessLogsTest {
  private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
  private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
  private final AccessLogWriter writer = new AccessLogWriter(64, new StatCounter(), stdout, stderr,
      Duration.ofSeconds(5));

  @AfterEach
  void closeWriter() {
    writer.close();
  }

  private static io.envoyproxy.envoy.config.accesslog.v3.AccessLog log(Message typed) {
    return io.envoyproxy.envoy.config.accesslog.v3.AccessLog.newBuilder()
        .setName("envoy.access_loggers.x").setTypedConfig(Any.pack(typed)).build();
  }

  private static SubstitutionFormatString text(String f) {
    return SubstitutionFormatString.newBuilder().setTextFormat(f).build();
  }

  private static StreamInfo info() {
    StreamInfo info = Infos.at("2025-06-30T02:48:20.634Z", 5);
    info.setResponseCode(200);
    info.setRouteName("default");
    return info;
  }

  private List<AccessLog> compileOk(io.envoyproxy.envoy.config.accesslog.v3.AccessLog... protos) {
    ConfigPath at = ConfigPath.root("access_log");
    List<AccessLog> logs = AccessLogs.compile(List.of(protos), at, writer);
    assertThat(at.errors()).isEmpty();
    assertThat(logs).hasSize(protos.length);
    return logs;
  }

  private static List<ConfigError> errors(
      io.envoyproxy.envoy.config.accesslog.v3.AccessLog proto, AccessLogWriter w) {
    ConfigPath at = ConfigPath.root("access_log");
    assertThat(AccessLogs.compile(List.of(proto), at, w)).isEmpty();
    assertThat(at.errors()).isNotEmpty();
    return at.errors();
  }

  @Test
  void fileLoggerWithInlineTextFormatWritesToFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("a.log");
    List<AccessLog> logs = compileOk(log(FileAccessLog.newBuilder().setPath(file.toString())
        .setLogFormat(SubstitutionFormatString.newBuilder().setTextFormatSource(
            DataSource.newBuilder().setInlineString("%RESPONSE_CODE% %ROUTE_NAME%\n"))).build()));
    logs.get(0).log(info());
    logs.get(0).log(info());
    writer.close();
    assertThat(Files.readAllLines(file)).containsExactly("200 default", "200 default");
  }

  @Test
  void twoLoggersOnOnePathShareTheSink(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("shared.log");
    List<AccessLog> logs = compileOk(
        log(FileAccessLog.newBuilder().setPath(file.toString()).setLogFormat(text("A\n")).build()),
        log(FileAccessLog.newBuilder().setPath(dir.resolve(".").resolve("shared.log").toString())
            .setLogFormat(text("B\n")).build()));
    assertThat(writer.file(file.toString())).isSameAs(writer.file(dir + "/./shared.log"));
    logs.get(0).log(info());
    logs.get(1).log(info());
    writer.close();
    assertThat(Files.readAllLines(file)).containsExactly("A", "B");
  }

  @Test
  void legacyFormatFieldsAndDefaultFormat(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("legacy.log");
    Struct legacyJson = Struct.newBuilder()
        .putFields("code", Value.newBuilder().setStringValue("%RESPONSE_CODE%").build()).build();
    List<AccessLog> logs = compileOk(
        log(FileAccessLog.newBuilder().setPath(file.toString()).setFormat("legacy %RESPONSE_CODE%\n")
            .build()),
        log(FileAccessLog.newBuilder().setPath(file.toString()).setJsonFormat(legacyJson).build()),
        log(FileAccessLog.newBuilder().setPath(file.toString()).setTypedJsonFormat(legacyJson)
            .build()),
        log(FileAccessLog.newBuilder().setPath(file.toString()).build()));
    for (AccessLog l : logs) {
      l.log(info());
    }
    writer.close();
    assertThat(Files.readAllLines(file)).containsExactly("legacy 200", "{\"code\":\"200\"}",
        "{\"code\":200}", "[2025-06-30T02:48:20.634Z] \"- - -\" 200 - 0 0 5 - \"-\" \"-\" \"-\" \"-\" \"-\"");
  }

  @Test
  void stdoutJsonSortedAndStderrDefault() {
    Struct json = Struct.newBuilder()
        .putFields("route", Value.newBuilder().setStringValue("%ROUTE_NAME%").build())
        .putFields("code", Value.newBuilder().setStringValue("%RESPONSE_CODE%").build())
        .putFields("sni", Value.newBuilder().setStringValue("%REQUESTED_SERVER_NAME%").build())
        .build();
    List<AccessLog> logs = compileOk(
        log(StdoutAccessLog.newBuilder().setLogFormat(SubstitutionFormatString.newBuilder()
            .setJsonFormat(json).setOmitEmptyValues(true)
            .setJsonFormatOptions(JsonFormatOptions.newBuilder().setSortProperties(true))).build()),
        log(StderrAccessLog.getDefaultInstance()));
    logs.forEach(l -> l.log(info()));
    writer.close();
    assertThat(stdout.toString(StandardCharsets.UTF_8))
        .isEqualTo("{\"code\":200,\"route\":\"default\"}\n");
    assertThat(stderr.toString(StandardCharsets.UTF_8)).isEqualTo(
        "[2025-06-30T02:48:20.634Z] \"- - -\" 200 - 0 0 5 - \"-\" \"-\" \"-\" \"-\" \"-\"\n");
  }

  @Test
  void unknownLoggerTypeIsRejectedWithTypeUrl() {
    List<ConfigError> e = errors(log(StatusCodeFilter.getDefaultInstance()), writer);
    assertThat(e).hasSize(1);
    assertThat(e.get(0).path()).isEqualTo("access_log[0].typed_config");
    assertThat(e.get(0).message())
        .contains("type.googleapis.com/envoy.config.accesslog.v3.StatusCodeFilter");
  }

  @Test
  void grpcStatusFilterIsRejectedAtItsPath() {
    io.envoyproxy.envoy.config.accesslog.v3.AccessLog proto =
        log(StdoutAccessLog.getDefaultInstance()).toBuilder()
            .setFilter(AccessLogFilter.newBuilder().setGrpcStatusFilter(
                GrpcStatusFilter.getDefaultInstance())).build();
    List<ConfigError> e = errors(proto, writer);
    assertThat(e).extracting(ConfigError::path)
        .containsExactly("access_log[0].filter.grpc_status_filter");
    assertThat(e.get(0).message()).contains("grpc_status_filter", "not supported");
  }

  @Test
  void filterDropsEntriesBeforeTheyAreWritten() throws Exception {
    io.envoyproxy.envoy.config.accesslog.v3.AccessLog proto =
        log(StdoutAccessLog.newBuilder().setLogFormat(text("%RESPONSE_CODE%\n")).build()).toBuilder()
            .setFilter(AccessLogFilter.newBuilder().setStatusCodeFilter(StatusCodeFilter.newBuilder()
                .setComparison(ComparisonFilter.newBuilder().setOp(ComparisonFilter.Op.GE)
                    .setValue(RuntimeUInt32.newBuilder().setDefaultValue(500)
                        .setRuntimeKey("access_log.min_status")))))
            .build();
    AccessLog log = compileOk(proto).get(0);
    for (int code : new int[] {200, 503, 404, 504}) {
      StreamInfo i = info();
      i.setResponseCode(code);
      log.log(i);
    }
    writer.close();
    assertThat(stdout.toString(StandardCharsets.UTF_8)).isEqualTo("503\n504\n");
  }

  @Test
  void formatterExtensionsAreRejectedWithTheirTypeUrl() {
    SubstitutionFormatString f = text("%RESPONSE_CODE%").toBuilder()
        .addFormatters(TypedExtensionConfig.newBuilder().setName("envoy.formatter.req_without_query")
            .setTypedConfig(Any.newBuilder().setTypeUrl(
                "type.googleapis.com/envoy.extensions.formatter.req_without_query.v3.ReqWithoutQuery")))
        .build();
    List<ConfigError> e = errors(log(StdoutAccessLog.newBuilder().setLogFormat(f).build()), writer);
    assertThat(e).hasSize(1);
    assertThat(e.get(0).path()).isEqualTo("access_log[0].typed_config.log_format.formatters[0]");
    assertThat(e.get(0).message()).contains("ReqWithoutQuery");
  }

  @Test
  void badOperatorIsReportedAtTheFormatPath() {
    List<ConfigError> e = errors(log(StdoutAccessLog.newBuilder()
        .setLogFormat(text("%RESPONSE_CODE% %BAD_OPERATOR%\n")).build()), writer);
    assertThat(e).hasSize(1);
    assertThat(e.get(0).path()).isEqualTo("access_log[0].typed_config.log_format.text_format");
    assertThat(e.get(0).message()).contains("%BAD_OPERATOR%");
  }

  @Test
  void unsupportedDataSourceAndEmptyPathAreRejected() {
    List<ConfigError> e = errors(log(FileAccessLog.newBuilder().setLogFormat(
        SubstitutionFormatString.newBuilder().setTextFormatSource(
            DataSource.newBuilder().setFilename("/etc/format.txt"))).build()), writer);
    assertThat(e).extracting(ConfigError::path).containsExactlyInAnyOrder(
        "access_log[0].typed_config.log_format.text_format_source.filename",
        "access_log[0].typed_config.path");
  }

  @Test
  void missingTypedConfigIsRejected() {
    List<ConfigError> e = errors(io.envoyproxy.envoy.config.accesslog.v3.AccessLog.newBuilder()
        .setName("x").build(), writer);
    assertThat(e).extracting(ConfigError::path).containsExactly("access_log[0]");
  }

  @Test
  void unopenableFileIsAConfigError(@TempDir Path dir) {
    List<ConfigError> e = errors(log(FileAccessLog.newBuilder()
        .setPath(dir.resolve("no/such/dir/a.log").toString()).build()), writer);
    assertThat(e).extracting(ConfigError::path).containsExactly("access_log[0].typed_config.path");
  }
}
