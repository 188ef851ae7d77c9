package dev.egret.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.UInt32Value;
import dev.egret.core.config.ConfigPath;
import io.envoyproxy.envoy.config.core.v3.Http2ProtocolOptions;
import org.junit.jupiter.api.Test;

class Http2FloodLimitsTest {
  @Test
  void envoyFieldsOverrideTheDefaults() {
    ConfigPath at = ConfigPath.root("http2_protocol_options");
    Http2FloodLimits l = Http2FloodLimits.compile(Http2ProtocolOptions.newBuilder()
        .setMaxOutboundFrames(UInt32Value.of(500))
        .setMaxOutboundControlFrames(UInt32Value.of(50))
        .setMaxConsecutiveInboundFramesWithEmptyPayload(UInt32Value.of(3))
        .setMaxInboundPriorityFramesPerStream(UInt32Value.of(7))
        .setMaxInboundWindowUpdateFramesPerDataFrameSent(UInt32Value.of(4))
        .build(), at);
    assertThat(at.errors()).isEmpty();
    assertThat(l.maxOutboundFrames()).isEqualTo(500);
    assertThat(l.maxOutboundControlFrames()).isEqualTo(50);
    assertThat(l.maxConsecutiveEmptyFrames()).isEqualTo(3);
    assertThat(l.maxPriorityFramesPerStream()).isEqualTo(7);
    assertThat(l.maxWindowUpdatesPerDataFrameSent()).isEqualTo(4);
    assertThat(l.maxRstFramesPerWindow()).isEqualTo(200);
  }

  @Test
  void unsetFieldsKeepEnvoysDefaults() {
    ConfigPath at = ConfigPath.root("x");
    assertThat(Http2FloodLimits.compile(Http2ProtocolOptions.getDefaultInstance(), at))
        .isEqualTo(Http2FloodLimits.DEFAULT);
    assertThat(Http2FloodLimits.DEFAULT.maxOutboundFrames()).isEqualTo(10_000);
    assertThat(Http2FloodLimits.DEFAULT.maxOutboundControlFrames()).isEqualTo(1000);
    assertThat(Http2FloodLimits.DEFAULT.maxConsecutiveEmptyFrames()).isEqualTo(1);
  }

  @Test
  void zeroOutboundLimitIsAnErrorAtItsPath() {
    ConfigPath at = ConfigPath.root("hcm.http2_protocol_options");
    Http2FloodLimits.compile(Http2ProtocolOptions.newBuilder().setMaxOutboundFrames(UInt32Value.of(0)).build(), at);
    assertThat(at.errors()).singleElement().asString()
        .contains("hcm.http2_protocol_options.max_outbound_frames").contains("at least 1");
  }
}
