package dev.egret.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.JsonFormat;
import dev.egret.core.accesslog.AccessLogWriter;
import dev.egret.core.config.ConfigError;
import dev.egret.core.config.ConfigPath;
import dev.egret.core.route.RouteTable;
import dev.egret.core.router.RouterImpl;
import dev.egret.core.stats.Stats;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The connection manager fields of Istio's {@code connect_terminate}: CONNECT upgrade and HTTP/2 options. */
class HcmConnectConfigTest {
  private static final String ROUTES = "\"route_config\":{\"virtual_hosts\":[{\"name\":\"d\",\"domains\":[\"*\"],"
      + "\"routes\":[{\"match\":{\"connect_matcher\":{}},\"route\":{\"cluster\":\"c\"}}]}]},"
      + "\"http_filters\":[{\"name\":\"envoy.filters.http.router\"}],\"stat_prefix\":\"connect_terminate\"";

  private static HcmConfig compile(String extraJson, ConfigPath at) throws Exception {
    HttpConnectionManager.Builder b = HttpConnectionManager.newBuilder();
    JsonFormat.parser().merge("{" + ROUTES + (extraJson.isEmpty() ? "" : "," + extraJson) + "}", b);
    Stats stats = new Stats();
    HcmCompiler c = new HcmCompiler(stats, (rc, rat, perFilter) -> {
      RouteTable t = RouteTable.compile(rc, rat, cluster -> true, perFilter);
      return t == null ? null : new RouterImpl(t, Map.of());
    }, AccessLogWriter.checkOnly(stats.serverCounter("access_log_dropped")));
    return c.compile(b.build(), at);
  }

  @Test
  void istioConnectTerminateOptionsCompile() throws Exception {
    ConfigPath at = ConfigPath.root("");
    HcmConfig h = compile("\"upgrade_configs\":[{\"upgrade_type\":\"CONNECT\"}],\"stream_idle_timeout\":\"0s\","
        + "\"http2_protocol_options\":{\"max_concurrent_streams\":100,\"allow_connect\":true,"
        + "\"connection_keepalive\":{\"interval\":\"10s\",\"timeout\":\"20s\"}}", at);
    assertThat(at.errors()).isEmpty();
    assertThat(h.connectUpgrade()).isTrue();
    assertThat(h.allowConnect()).isTrue();
    assertThat(h.keepalive()).isEqualTo(new Http2Keepalive(10_000, 20_000, 15.0));
    // ztunnel's windows unless configured (hbone.md §4.2)
    assertThat(h.http2()).isEqualTo(new HcmConfig.Http2Limits(100, 4 << 20, 16 << 20));
    assertThat(h.streamIdleTimeoutMillis()).isZero();
  }

  @Test
  void withoutConnectOptionsNothingIsEnabled() throws Exception {
    ConfigPath at = ConfigPath.root("");
    HcmConfig h = compile("", at);
    assertThat(h.connectUpgrade()).isFalse();
    assertThat(h.allowConnect()).isFalse();
    assertThat(h.keepalive().enabled()).isFalse();
    assertThat(h.http2()).isEqualTo(HcmConfig.Http2Limits.DEFAULT);
  }

  @Test
  void unsupportedUpgradeAndKeepaliveFieldsAreRejectedWithPaths() throws Exception {
    ConfigPath at = ConfigPath.root("");
    HcmConfig h = compile("\"upgrade_configs\":[{\"upgrade_type\":\"h2c\"},{\"upgrade_type\":\"websocket\"},"
        + "{\"upgrade_type\":\"CONNECT\",\"filters\":[{\"name\":\"x\"}]}],"
        + "\"http2_protocol_options\":{\"allow_connect\":true,\"connection_keepalive\":{\"interval\":\"10s\","
        + "\"connection_idle_interval\":\"5s\"}}", at);
    assertThat(h).isNull();
    List<String> paths = at.errors().stream().map(ConfigError::path).toList();
    // websocket (istiod lists it everywhere) is accepted; protocol switching is not done yet
    assertThat(paths).doesNotContain("upgrade_configs[1].upgrade_type");
    assertThat(paths).contains("upgrade_configs[0].upgrade_type", "upgrade_configs[2].filters",
        "http2_protocol_options.connection_keepalive.connection_idle_interval",
        "http2_protocol_options.connection_keepalive.timeout");
  }
}
