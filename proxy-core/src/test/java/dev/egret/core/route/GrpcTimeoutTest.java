package dev.egret.core.route;

import static org.assertj.core.api.Assertions.assertThat;

import dev.egret.core.config.ConfigPath;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class GrpcTimeoutTest {
  @Test
  void parsesEveryUnitAndRejectsMalformedValues() {
    assertThat(GrpcTimeout.parse("2H")).isEqualTo(Duration.ofHours(2));
    assertThat(GrpcTimeout.parse("3M")).isEqualTo(Duration.ofMinutes(3));
    assertThat(GrpcTimeout.parse("10S")).isEqualTo(Duration.ofSeconds(10));
    assertThat(GrpcTimeout.parse("250m")).isEqualTo(Duration.ofMillis(250));
    assertThat(GrpcTimeout.parse("7u")).isEqualTo(Duration.ofNanos(7000));
    assertThat(GrpcTimeout.parse("9n")).isEqualTo(Duration.ofNanos(9));
    assertThat(GrpcTimeout.parse(null)).isNull();
    assertThat(GrpcTimeout.parse("S")).isNull();
    assertThat(GrpcTimeout.parse("1x")).isNull();
    assertThat(GrpcTimeout.parse("-1S")).isNull();
    assertThat(GrpcTimeout.parse("123456789S")).as("more than 8 digits").isNull();
  }

  private static ClusterAction route(String maxGrpc) throws Exception {
    String json = "{\"virtual_hosts\":[{\"name\":\"v\",\"domains\":[\"*\"],\"routes\":[{\"match\":{\"prefix\":\"/\"},"
        + "\"route\":{\"cluster\":\"c\",\"timeout\":\"15s\"" + (maxGrpc == null ? "" : ",\"max_grpc_timeout\":\"" + maxGrpc + "\"")
        + "}}]}]}";
    RouteConfiguration rc = dev.egret.core.config.BootstrapLoader.parse(json, "t", RouteConfiguration.newBuilder()).build();
    ConfigPath at = ConfigPath.root("");
    RouteTable t = RouteTable.compile(rc, at, c -> true);
    assertThat(at.errors()).isEmpty();
    return t.route("a", "/", new DefaultHttpHeaders()).clusterAction();
  }

  @Test
  void grpcRequestsUseTheirHeaderCappedByMaxGrpcTimeout() throws Exception {
    HttpHeaders grpc = new DefaultHttpHeaders().set("content-type", "application/grpc").set("grpc-timeout", "100S");
    HttpHeaders grpcNoHeader = new DefaultHttpHeaders().set("content-type", "application/grpc+proto");
    HttpHeaders plain = new DefaultHttpHeaders().set("grpc-timeout", "100S");
    assertThat(route(null).timeoutFor(grpc)).as("not configured: the route timeout").isEqualTo(Duration.ofSeconds(15));
    assertThat(route("0s").timeoutFor(grpc)).as("0 = no cap (Istio's default)").isEqualTo(Duration.ofSeconds(100));
    assertThat(route("0s").timeoutFor(grpcNoHeader)).as("no header, no cap: no timeout").isZero();
    assertThat(route("30s").timeoutFor(grpc)).isEqualTo(Duration.ofSeconds(30));
    assertThat(route("30s").timeoutFor(grpcNoHeader)).isEqualTo(Duration.ofSeconds(30));
    assertThat(route("30s").timeoutFor(plain)).as("not gRPC: the route timeout").isEqualTo(Duration.ofSeconds(15));
  }
}
