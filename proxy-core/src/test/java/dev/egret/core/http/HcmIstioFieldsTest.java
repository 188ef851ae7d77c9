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
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Istio's waypoint HCM fields: XFCC, tracing and request ids (no-ops), escaped slashes. */
class HcmIstioFieldsTest {
  private static final String ROUTES = "\"route_config\":{\"virtual_hosts\":[{\"name\":\"d\",\"domains\":[\"*\"],"
      + "\"routes\":[{\"match\":{\"connect_matcher\":{}},\"route\":{\"cluster\":\"c\"}}]}]},"
      + "\"http_filters\":[{\"name\":\"envoy.filters.http.router\"}],\"stat_prefix\":\"connect_terminate\"";

  private static HcmConfig compile(String extraJson, ConfigPath at) throws Exception {
    HttpConnectionManager.Builder b = HttpConnectionManager.newBuilder();
    JsonFormat.parser().usingTypeRegistry(JsonFormat.TypeRegistry.newBuilder()
        .add(io.envoyproxy.envoy.extensions.request_id.uuid.v3.UuidRequestIdConfig.getDescriptor())
        .add(com.google.protobuf.Empty.getDescriptor()).build()).merge("{" + ROUTES + (extraJson.isEmpty() ? "" : "," + extraJson) + "}", b);
    Stats stats = new Stats();
    HcmCompiler c = new HcmCompiler(stats, (rc, rat, perFilter) -> {
      RouteTable t = RouteTable.compile(rc, rat, cluster -> true, perFilter);
      return t == null ? null : new RouterImpl(t, Map.of());
    }, AccessLogWriter.checkOnly(stats.serverCounter("access_log_dropped")));
    return c.compile(b.build(), at);
  }

  @Test
  void istioWaypointFieldsCompile() throws Exception {
    ConfigPath at = ConfigPath.root("");
    HcmConfig h = compile("\"forward_client_cert_details\":\"APPEND_FORWARD\","
        + "\"set_current_client_cert_details\":{\"subject\":true,\"dns\":true,\"uri\":true},"
        + "\"path_with_escaped_slashes_action\":\"KEEP_UNCHANGED\","
        + "\"request_id_extension\":{\"typed_config\":{\"@type\":"
        + "\"type.googleapis.com/envoy.extensions.request_id.uuid.v3.UuidRequestIdConfig\","
        + "\"use_request_id_for_trace_sampling\":true}},"
        + "\"tracing\":{\"client_sampling\":{\"value\":100},\"random_sampling\":{\"value\":1},"
        + "\"overall_sampling\":{\"value\":100},\"custom_tags\":[{\"tag\":\"istio.mesh_id\","
        + "\"literal\":{\"value\":\"cluster.local\"}}]}", at);
    assertThat(at.errors()).isEmpty();
    assertThat(h.extras().forwardClientCert()).isEqualTo(new ForwardClientCert(
        ForwardClientCert.Mode.APPEND_FORWARD, true, false, false, true, true));
    assertThat(h.extras().escapedSlashes()).isEqualTo(EscapedSlashesAction.KEEP_UNCHANGED);
  }

  @Test
  void defaultsSanitizeXfccAndKeepEscapedSlashes() throws Exception {
    HcmConfig h = compile("", ConfigPath.root(""));
    assertThat(h.extras()).isEqualTo(HcmConfig.Extras.DEFAULT);
  }

  @Test
  void tracingProviderAndOtherRequestIdExtensionsAreRejected() throws Exception {
    ConfigPath at = ConfigPath.root("");
    compile("\"tracing\":{\"provider\":{\"name\":\"envoy.tracers.zipkin\"}},"
        + "\"request_id_extension\":{\"typed_config\":{\"@type\":\"type.googleapis.com/google.protobuf.Empty\"}}", at);
    assertThat(at.errors()).extracting(ConfigError::toString)
        .anySatisfy(e -> assertThat(e).contains("tracing.provider"))
        .anySatisfy(e -> assertThat(e).contains("request_id_extension.typed_config")
            .contains("is not supported by Egret"));
  }
}
