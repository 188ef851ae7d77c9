package dev.egret.core.accesslog;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.egret.core.config.ConfigPath;
import dev.egret.core.stream.DynamicMetadata;
import dev.egret.core.stream.FilterState;
import dev.egret.core.stream.StreamInfo;
import java.util.List;
import org.junit.jupiter.api.Test;

class StateOperatorsTest {
  private static StreamInfo info() {
    StreamInfo info = StreamInfo.startingNow();
    FilterState conn = FilterState.forConnection();
    conn.setString("io.istio.peer_principal", "spiffe://td/ns/a/sa/b");
    DynamicMetadata md = DynamicMetadata.forConnection();
    md.merge("envoy.filters.listener.proxy_protocol", Struct.newBuilder()
        .putFields("peer_principal", Value.newBuilder().setStringValue("spiffe://td/ns/x/sa/y").build())
        .putFields("n", Value.newBuilder().setNumberValue(3).build()).build());
    info.attachConnection(conn, md);
    info.filterState().setString("stream.key", "s\"v");
    return info;
  }

  private static String format(String f) {
    ConfigPath at = ConfigPath.root("f");
    AccessLogFormat fmt = AccessLogFormat.compileText(f, at);
    assertThat(at.errors()).isEmpty();
    return fmt.format(info());
  }

  @Test
  void filterStatePlainTypedTruncatedAndMissing() {
    assertThat(format("%FILTER_STATE(io.istio.peer_principal:PLAIN)%")).isEqualTo("spiffe://td/ns/a/sa/b");
    assertThat(format("%FILTER_STATE(io.istio.peer_principal)%")).isEqualTo("\"spiffe://td/ns/a/sa/b\"");
    assertThat(format("%FILTER_STATE(stream.key:TYPED)%")).isEqualTo("\"s\\\"v\"");
    assertThat(format("%FILTER_STATE(io.istio.peer_principal:PLAIN):9%")).isEqualTo("spiffe://");
    assertThat(format("[%FILTER_STATE(absent:PLAIN)%]")).isEqualTo("[-]");
  }

  @Test
  void dynamicMetadataValuesAndWholeNamespace() {
    assertThat(format("%DYNAMIC_METADATA(envoy.filters.listener.proxy_protocol:peer_principal)%"))
        .isEqualTo("spiffe://td/ns/x/sa/y");
    assertThat(format("%DYNAMIC_METADATA(envoy.filters.listener.proxy_protocol:n)%")).isEqualTo("3.0");
    assertThat(format("%DYNAMIC_METADATA(envoy.filters.listener.proxy_protocol)%"))
        .isEqualTo("{\"peer_principal\":\"spiffe://td/ns/x/sa/y\",\"n\":3.0}");
    assertThat(format("[%DYNAMIC_METADATA(ns:absent)%]")).isEqualTo("[-]");
  }

  @Test
  void jsonFormatWritesStrings() {
    ConfigPath at = ConfigPath.root("f");
    AccessLogFormat fmt = AccessLogFormat.compileJson(Struct.newBuilder()
        .putFields("peer", Value.newBuilder().setStringValue("%FILTER_STATE(io.istio.peer_principal:PLAIN)%").build())
        .putFields("md", Value.newBuilder().setStringValue("%DYNAMIC_METADATA(envoy.filters.listener.proxy_protocol:n)%").build())
        .build(), false, false, at);
    assertThat(at.errors()).isEmpty();
    assertThat(fmt.format(info())).contains("\"peer\":\"spiffe://td/ns/a/sa/b\"").contains("\"md\":3.0");
  }

  @Test
  void badArgumentsAreErrors() {
    for (String bad : List.of("%FILTER_STATE%", "%FILTER_STATE(k:FIELD:ip)%", "%FILTER_STATE(k:RAW)%",
        "%DYNAMIC_METADATA%", "%DYNAMIC_METADATA(ns::k)%")) {
      ConfigPath at = ConfigPath.root("f");
      AccessLogFormat.compileText(bad, at);
      assertThat(at.errors()).as(bad).isNotEmpty();
    }
  }
}
