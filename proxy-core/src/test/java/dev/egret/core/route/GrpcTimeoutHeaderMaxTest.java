package dev.egret.core.route;

import static dev.egret.core.route.RouteFixtures.headers;
import static dev.egret.core.route.RouteFixtures.routes;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@code max_stream_duration.grpc_timeout_header_max} / {@code grpc_timeout_header_offset}. */
class GrpcTimeoutHeaderMaxTest {
  private static ClusterAction action(String maxStreamDuration) {
    RouteTable t = routes("{\"name\":\"r\",\"match\":{\"prefix\":\"/\"},\"route\":{\"cluster\":\"a\","
        + "\"max_stream_duration\":" + maxStreamDuration + "}}");
    return t.virtualHosts().get(0).routes().get(0).clusterAction();
  }

  @Test
  void grpcTimeoutHeaderIsCappedByTheMaximum() {
    ClusterAction a = action("{\"grpc_timeout_header_max\":\"2s\",\"max_stream_duration\":\"30s\"}");
    assertThat(a.maxStreamDurationFor(headers("grpc-timeout", "500m"))).isEqualTo(Duration.ofMillis(500));
    assertThat(a.maxStreamDurationFor(headers("grpc-timeout", "10S"))).isEqualTo(Duration.ofSeconds(2));
    assertThat(a.maxStreamDurationFor(headers())).as("no header: the route's max_stream_duration")
        .isEqualTo(Duration.ofSeconds(30));
    assertThat(a.maxStreamDurationFor(headers("grpc-timeout", "bogus"))).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void zeroMaximumUsesTheHeaderUnchangedAndOffsetIsSubtracted() {
    ClusterAction a = action("{\"grpc_timeout_header_max\":\"0s\",\"grpc_timeout_header_offset\":\"0.1s\"}");
    assertThat(a.maxStreamDurationFor(headers("grpc-timeout", "1H"))).isEqualTo(Duration.ofHours(1).minusMillis(100));
    assertThat(a.maxStreamDurationFor(headers("grpc-timeout", "50m"))).as("offset above the timeout: expired at once")
        .isEqualTo(Duration.ofMillis(1));
    assertThat(a.maxStreamDurationFor(headers())).as("neither set: the connection manager's stays").isNull();
  }

  @Test
  void withoutHeaderMaxTheGrpcTimeoutHeaderDoesNotSetTheDuration() {
    ClusterAction a = action("{\"max_stream_duration\":\"3s\"}");
    assertThat(a.maxStreamDurationFor(headers("grpc-timeout", "1S"))).isEqualTo(Duration.ofSeconds(3));
  }
}
