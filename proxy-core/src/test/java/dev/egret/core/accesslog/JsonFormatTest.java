package dev.egret.core.accesslog;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import dev.egret.core.config.ConfigPath;
import dev.egret.core.stream.StreamInfo;
import io.netty.handler.codec.http.HttpMethod;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Typed JSON formats ({@code json_format}) and the legacy untyped map. */
class JsonFormatTest {

  private static Value s(String v) {
    return Value.newBuilder().setStringValue(v).build();
  }

  private static Struct struct(Object... kv) {
    Struct.Builder b = Struct.newBuilder();
    for (int i = 0; i < kv.length; i += 2) {
      Object v = kv[i + 1];
      Value value = v instanceof Value vv ? vv : v instanceof Struct st
          ? Value.newBuilder().setStructValue(st).build() : s((String) v);
      b.putFields((String) kv[i], value);
    }
    return b.build();
  }

  private static AccessLogFormat json(Struct s, boolean omit, boolean sort) {
    ConfigPath at = ConfigPath.root("json_format");
    AccessLogFormat f = AccessLogFormat.compileJson(s, omit, sort, at);
    assertThat(at.errors()).isEmpty();
    return f;
  }

  private static StreamInfo info() {
    StreamInfo info = Infos.at("2025-06-30T02:48:20.634Z", 1477);
    info.setRequest(Infos.request(HttpMethod.GET, "/get", "user-agent", "curl \"quoted\"\\\t"));
    info.setResponseCode(200);
    info.addBytesSent(255);
    return info;
  }

  @Test
  void wholeValueNumericOperatorsAreNumbersAndUnsetIsNull() {
    Struct s = struct("code", "%RESPONSE_CODE%", "duration", "%DURATION%", "sent", "%BYTES_SENT%",
        "received", "%BYTES_RECEIVED%", "attempts", "%UPSTREAM_REQUEST_ATTEMPT_COUNT%",
        "start", "%START_TIME%", "flags", "%RESPONSE_FLAGS%", "route", "%ROUTE_NAME%",
        "xff", "%REQ(X-FORWARDED-FOR)%");
    assertThat(json(s, false, false).format(info())).isEqualTo("{\"code\":200,\"duration\":1477,"
        + "\"sent\":255,\"received\":0,\"attempts\":0,\"start\":\"2025-06-30T02:48:20.634Z\","
        + "\"flags\":\"-\",\"route\":null,\"xff\":null}\n");
  }

  @Test
  void omitEmptyValuesDropsUnsetKeys() {
    Struct s = struct("code", "%RESPONSE_CODE%", "route", "%ROUTE_NAME%", "dur", "%DURATION%");
    StreamInfo running = Infos.at("2025-06-30T02:48:20.634Z", -1);
    assertThat(json(s, true, false).format(running)).isEqualTo("{\"code\":0}\n");
    Struct onlyUnset = struct("route", "%ROUTE_NAME%");
    assertThat(json(onlyUnset, true, false).format(running)).isEqualTo("{}\n");
  }

  @Test
  void sortPropertiesSortsKeysAtEveryLevel() {
    Struct s = struct("z", "%RESPONSE_CODE%", "a", struct("y", "1", "b", "%BYTES_SENT%"), "m", "lit");
    assertThat(json(s, false, true).format(info()))
        .isEqualTo("{\"a\":{\"b\":255,\"y\":\"1\"},\"m\":\"lit\",\"z\":200}\n");
    assertThat(json(s, false, false).format(info()))
        .isEqualTo("{\"z\":200,\"a\":{\"y\":\"1\",\"b\":255},\"m\":\"lit\"}\n");
  }

  @Test
  void mixedStringsAreStringsWithDashForUnsetAndTemplateNumbersAreCopied() {
    Struct s = struct("line", "%REQ(:METHOD)% %REQ(:PATH)% -> %RESPONSE_CODE% (%ROUTE_NAME%)",
        "n", Value.newBuilder().setNumberValue(7).build(),
        "list", Value.newBuilder().setListValue(ListValue.newBuilder()
            .addValues(s("%RESPONSE_CODE%")).addValues(s("%ROUTE_NAME%"))).build());
    assertThat(json(s, false, false).format(info()))
        .isEqualTo("{\"line\":\"GET /get -> 200 (-)\",\"n\":7,\"list\":[200,null]}\n");
  }

  @Test
  void stringValuesAreEscapedAndOutputParsesAsJson() throws Exception {
    AccessLogFormat f = json(struct("ua", "%REQ(USER-AGENT)%", "k\"ey", "%%x"), false, false);
    String line = f.format(info());
    assertThat(line).isEqualTo("{\"ua\":\"curl \\\"quoted\\\"\\\\\\t\",\"k\\\"ey\":\"%x\"}\n");
    Struct.Builder parsed = Struct.newBuilder();
    JsonFormat.parser().merge(line, parsed);
    assertThat(parsed.getFieldsOrThrow("ua").getStringValue()).isEqualTo("curl \"quoted\"\\\t");
  }

  @Test
  void headerTruncationAppliesInsideJsonStrings() {
    AccessLogFormat f = json(struct("ua", "%REQ(USER-AGENT):4%"), false, false);
    assertThat(f.format(info())).isEqualTo("{\"ua\":\"curl\"}\n");
  }

  @Test
  void istioJsonHasIstioKeysTyped() throws Exception {
    String line = AccessLogFormat.istioJson().format(GoldenFormatTest.istioWaypointExample());
    assertThat(line).endsWith("}\n").doesNotContain("\n{");
    Struct.Builder parsed = Struct.newBuilder();
    JsonFormat.parser().merge(line, parsed);
    Struct p = parsed.build();
    assertThat(p.getFieldsMap()).hasSize(24);
    assertThat(p.getFieldsOrThrow("response_code").getNumberValue()).isEqualTo(200);
    assertThat(p.getFieldsOrThrow("duration").getNumberValue()).isEqualTo(1477);
    assertThat(p.getFieldsOrThrow("start_time").getStringValue()).isEqualTo("2025-06-30T02:48:20.634Z");
    assertThat(p.getFieldsOrThrow("upstream_cluster").getStringValue())
        .isEqualTo("inbound-vip|80|http|httpbin.org");
    assertThat(p.getFieldsOrThrow("downstream_remote_address").getStringValue())
        .isEqualTo("10.42.0.9:35662");
    assertThat(p.getFieldsOrThrow("response_flags").getStringValue()).isEqualTo("-");
    assertThat(p.getFieldsOrThrow("requested_server_name").hasNullValue()).isTrue();
    assertThat(line).startsWith("{\"start_time\":\"2025-06-30T02:48:20.634Z\",\"route_name\":\"default\",");
  }

  @Test
  void legacyUntypedJsonPrintsEverythingAsStringsWithDash() {
    ConfigPath at = ConfigPath.root("json_format");
    AccessLogFormat f = AccessLogFormat.compileLegacyJson(
        struct("code", "%RESPONSE_CODE%", "route", "%ROUTE_NAME%"), List.of(), at);
    assertThat(f.format(info())).isEqualTo("{\"code\":\"200\",\"route\":\"-\"}\n");
  }
}
