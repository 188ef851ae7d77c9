package dev.egret.hbone;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.egret.core.Transports;
import dev.egret.core.demo.DemoUpstream;
import dev.egret.core.testing.EgretHarness;
import dev.egret.core.testing.TestPki;
import dev.egret.hbone.testing.PipeProbe;
import io.netty.channel.EventLoopGroup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Istio's waypoint, run from istiod's own configuration: the {@code connect_terminate} and
 * {@code connect_originate} listeners of istioctl's waypoint dump, and {@code main_internal} with its
 * chains, route and the {@code inbound-vip|8000|http|httpbin…} cluster from Istio 1.21's waypoint dump
 * (both under ../shared/testdata), taken as they are. The changes, all made here in code:
 * <ul>
 *   <li>{@code connect_terminate} binds 127.0.0.1 on an ephemeral port instead of 0.0.0.0:15008;
 *   <li>the SDS secrets {@code default} and {@code ROOTCA} come from {@code static_resources.secrets}
 *       backed by test files (certificate paths), not from pilot-agent's {@code sds-grpc};
 *   <li>the EDS cluster's endpoint, which istiod would send by EDS, is written in the cluster, in the
 *       dump's endpoint shape, with the pod address changed to the test's;
 *   <li>the static clusters {@code main_internal} and {@code connect_originate}, which the dumps do not
 *       list, are written as istio-waypoint-xds.md §8 gives them, with port 15008 changed to the test
 *       destination's;
 *   <li>{@code main_internal}'s HTTP chain gets an access log (Istio adds one through telemetry).
 * </ul>
 * The caller is an HBONE client with a SPIFFE certificate; the destination "ztunnel" is a second Egret
 * terminating HBONE in front of a local HTTP server.
 */
class IstioWaypointEndToEndTest {
  static final Path TESTDATA = Path.of("..", "..", "shared", "testdata", "istio", "istio", "istioctl", "pkg");
  static final String VIP = "10.104.171.68";
  static final String HTTPBIN_CLUSTER = "inbound-vip|8000|http|httpbin.default.svc.cluster.local";
  static final String CALLER = "spiffe://cluster.local/ns/default/sa/sleep";

  static final String DESTINATION = """
      static_resources:
        listeners:
        - name: ztunnel_inbound
          address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
          filter_chains:
          - transport_socket:
              name: tls
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext
                require_client_certificate: true
                common_tls_context:
                  tls_params: { tls_minimum_protocol_version: TLSv1_3, tls_maximum_protocol_version: TLSv1_3 }
                  alpn_protocols: [h2]
                  tls_certificates: [{ certificate_chain: { filename: "${CERT}" }, private_key: { filename: "${KEY}" } }]
                  validation_context: { trusted_ca: { filename: "${CA}" } }
            filters:
            - name: envoy.filters.network.http_connection_manager
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                stat_prefix: ztunnel_inbound
                http2_protocol_options: { allow_connect: true }
                upgrade_configs: [{ upgrade_type: CONNECT }]
                route_config:
                  virtual_hosts:
                  - name: pod
                    domains: ["*"]
                    routes:
                    - match: { connect_matcher: {} }
                      route: { cluster: pod, upgrade_configs: [{ upgrade_type: CONNECT, connect_config: {} }] }
                http_filters:
                - name: envoy.filters.http.router
                  typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router }
        clusters:
        - name: pod
          type: STATIC
          load_assignment:
            cluster_name: pod
            endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${HTTP_PORT} } } } }] }]
      """;

  static Path dir;
  static TestPki.Ca ca;
  static DemoUpstream httpbin;
  static EgretHarness destination;
  static EgretHarness waypoint;
  static EventLoopGroup group;

  @BeforeAll
  static void start() throws Exception {
    dir = Files.createTempDirectory("egret-istio-waypoint");
    ca = TestPki.newCa("cluster.local root");
    Path caPem = ca.writePem(dir);
    TestPki.PemFiles waypointCert = ca.issue("waypoint", List.of(), List.of(
        "spiffe://cluster.local/ns/default/sa/httpbin-istio-waypoint"), List.of("127.0.0.1"))
        .writePem(Files.createDirectories(dir.resolve("waypoint")));
    TestPki.PemFiles podCert = ca.issue("ztunnel", List.of(), List.of("spiffe://cluster.local/ns/default/sa/httpbin"),
        List.of("127.0.0.1")).writePem(Files.createDirectories(dir.resolve("pod")));
    httpbin = DemoUpstream.http1("httpbin").withFixedBody("hello from httpbin");
    destination = new EgretHarness(DESTINATION, Map.of("CERT", podCert.certChain(), "KEY", podCert.key(),
        "CA", caPem, "HTTP_PORT", httpbin.port()));
    String bootstrap = waypointBootstrap(httpbin.port(), destination.port("ztunnel_inbound"));
    waypoint = new EgretHarness(bootstrap, Map.of("CERT", waypointCert.certChain(), "KEY", waypointCert.key(),
        "CA", caPem));
    group = Transports.newGroup(1, Executors.defaultThreadFactory());
  }

  @AfterAll
  static void stop() throws Exception {
    if (group != null) {
      group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }
    if (waypoint != null) {
      waypoint.close();
    }
    if (destination != null) {
      destination.close();
    }
    if (httpbin != null) {
      httpbin.close();
    }
  }

  /** The bootstrap: istiod's listeners and cluster from the dumps, with the changes listed above. */
  static String waypointBootstrap(int podPort, int ztunnelPort) throws Exception {
    JsonObject compare = read(TESTDATA.resolve("writer/compare/testdata/configdump.json"));
    JsonObject istio121 = read(TESTDATA.resolve("proxyconfig/testdata/config_dump.json"));
    JsonObject terminate = listener(compare, "connect_terminate");
    terminate.add("address", JsonParser.parseString(
        "{\"socket_address\":{\"address\":\"127.0.0.1\",\"port_value\":0}}"));
    JsonObject originate = listener(compare, "connect_originate");
    JsonObject mainInternal = listener(istio121, "main_internal");
    for (JsonElement fc : mainInternal.getAsJsonArray("filter_chains")) {
      JsonObject chain = fc.getAsJsonObject();
      if (chain.get("name").getAsString().startsWith("inbound-vip|8000|")) {
        JsonObject hcm = chain.getAsJsonArray("filters").get(0).getAsJsonObject().getAsJsonObject("typed_config");
        hcm.add("access_log", JsonParser.parseString("""
            [{"name": "envoy.access_loggers.file", "typed_config": {
              "@type": "type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog",
              "path": "${ACCESS_LOG}",
              "log_format": {"text_format_source": {"inline_string":
                "waypoint %FILTER_STATE(io.istio.peer_principal:PLAIN)% %REQ(:AUTHORITY)% %UPSTREAM_CLUSTER% %ROUTE_NAME% %RESPONSE_CODE% %DOWNSTREAM_LOCAL_ADDRESS%\\n"}}}}]"""));
      }
    }
    JsonObject vip = cluster(istio121, HTTPBIN_CLUSTER);
    vip.addProperty("type", "STATIC");
    vip.remove("eds_cluster_config");
    String pod = "127.0.0.1:" + podPort;
    vip.add("load_assignment", JsonParser.parseString("{\"cluster_name\":\"" + HTTPBIN_CLUSTER + "\",\"endpoints\":[{"
        + "\"lb_endpoints\":[{\"endpoint\":{\"address\":{\"envoy_internal_address\":{\"server_listener_name\":"
        + "\"connect_originate\",\"endpoint_id\":\"" + pod + "\"}}},\"health_status\":\"HEALTHY\",\"metadata\":{"
        + "\"filter_metadata\":{\"envoy.filters.listener.original_dst\":{\"local\":\"" + pod + "\"},"
        + "\"istio\":{\"workload\":\"httpbin;default;httpbin;v1;snorlax\"}}},\"load_balancing_weight\":1}]}]}"));
    JsonObject root = new JsonObject();
    root.add("static_resources", JsonParser.parseString("{}"));
    JsonObject sr = root.getAsJsonObject("static_resources");
    sr.add("secrets", JsonParser.parseString("""
        [{"name": "default", "tls_certificate": {"certificate_chain": {"filename": "${CERT}"},
                                                "private_key": {"filename": "${KEY}"}}},
         {"name": "ROOTCA", "validation_context": {"trusted_ca": {"filename": "${CA}"}}}]"""));
    JsonArray listeners = new JsonArray();
    listeners.add(terminate);
    listeners.add(mainInternal);
    listeners.add(originate);
    sr.add("listeners", listeners);
    JsonArray clusters = new JsonArray();
    clusters.add(vip);
    clusters.add(JsonParser.parseString("""
        {"name": "main_internal", "type": "STATIC", "load_assignment": {"cluster_name": "main_internal",
          "endpoints": [{"lb_endpoints": [{"endpoint": {"address": {"envoy_internal_address":
            {"server_listener_name": "main_internal"}}}}]}]}}"""));
    clusters.add(JsonParser.parseString("""
        {"name": "connect_originate", "type": "ORIGINAL_DST", "lb_policy": "CLUSTER_PROVIDED",
         "connect_timeout": "10s", "cleanup_interval": "60s",
         "original_dst_lb_config": {"upstream_port_override": %d},
         "typed_extension_protocol_options": {"envoy.extensions.upstreams.http.v3.HttpProtocolOptions": {
           "@type": "type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
           "explicit_http_config": {"http2_protocol_options": {"allow_connect": true}}}},
         "transport_socket": {"name": "tls", "typed_config": {
           "@type": "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext",
           "common_tls_context": {
             "tls_params": {"tls_minimum_protocol_version": "TLSv1_3", "tls_maximum_protocol_version": "TLSv1_3"},
             "alpn_protocols": ["h2"],
             "tls_certificate_sds_secret_configs": [{"name": "default", "sds_config": {"ads": {}}}],
             "combined_validation_context": {
               "default_validation_context": {"match_typed_subject_alt_names": [
                 {"san_type": "URI", "matcher": {"prefix": "spiffe://cluster.local/"}}]},
               "validation_context_sds_secret_config": {"name": "ROOTCA", "sds_config": {"ads": {}}}}}}}}
        """.formatted(ztunnelPort)));
    sr.add("clusters", clusters);
    return root.toString();
  }

  private static JsonObject read(Path p) throws Exception {
    return JsonParser.parseString(Files.readString(p)).getAsJsonObject();
  }

  private static JsonObject listener(JsonObject dump, String name) {
    for (JsonElement c : dump.getAsJsonArray("configs")) {
      JsonObject o = c.getAsJsonObject();
      if (!o.get("@type").getAsString().endsWith("ListenersConfigDump")) {
        continue;
      }
      for (JsonElement l : o.getAsJsonArray("dynamic_listeners")) {
        JsonObject listener = l.getAsJsonObject().getAsJsonObject("active_state").getAsJsonObject("listener");
        if (listener.has("name") && listener.get("name").getAsString().equals(name)) {
          listener.remove("@type");
          return listener;
        }
      }
    }
    throw new AssertionError("no listener " + name);
  }

  private static JsonObject cluster(JsonObject dump, String name) {
    for (JsonElement c : dump.getAsJsonArray("configs")) {
      JsonObject o = c.getAsJsonObject();
      if (!o.get("@type").getAsString().endsWith("ClustersConfigDump") || !o.has("dynamic_active_clusters")) {
        continue;
      }
      for (JsonElement e : o.getAsJsonArray("dynamic_active_clusters")) {
        JsonObject cluster = e.getAsJsonObject().getAsJsonObject("cluster");
        if (cluster.get("name").getAsString().equals(name)) {
          cluster.remove("@type");
          return cluster;
        }
      }
    }
    throw new AssertionError("no cluster " + name);
  }

  @Test
  void anHboneCallerReachesThePodThroughIstiodsWaypointConfiguration() throws Exception {
    TestPki.Issued caller = ca.issue("sleep", List.of(), List.of(CALLER), List.of());
    try (HboneConnector client = new HboneConnector(HboneTls.client(caller.certPem(), caller.keyPem(), ca.certPem(),
        List.of("cluster.local")), HboneClientSettings.DEFAULT)) {
      PipeProbe p = PipeProbe.open(client.opener(new java.net.InetSocketAddress("127.0.0.1", waypoint.port("connect_terminate")), VIP + ":8000", null),
          group.next());
      assertThat(p.next()).isEqualTo("open");
      p.send("GET /get HTTP/1.1\r\nHost: httpbin.default.svc.cluster.local:8000\r\nConnection: close\r\n\r\n");
      StringBuilder response = new StringBuilder();
      while (!response.toString().contains("hello from httpbin")) {
        String e = p.next();
        if (!e.startsWith("data:")) {
          throw new AssertionError("expected the response, got " + e + " after: " + response);
        }
        response.append(e, 5, e.length());
      }
      assertThat(response.toString()).startsWith("HTTP/1.1 200 OK");
    }
    assertThat(waypoint.awaitLogLineStartingWith("waypoint ")).isEqualTo("waypoint " + CALLER
        + " httpbin.default.svc.cluster.local:8000 " + HTTPBIN_CLUSTER + " default 200 " + VIP + ":8000");
  }
}
