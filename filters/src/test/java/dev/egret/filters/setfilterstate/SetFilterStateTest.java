package dev.egret.filters.setfilterstate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.egret.core.accesslog.AccessLogFormat;
import dev.egret.core.config.BootstrapLoader;
import dev.egret.core.config.ConfigPath;
import dev.egret.core.filterstate.FilterStateRules;
import dev.egret.core.http.ConnectionInfo;
import dev.egret.core.stream.DynamicMetadata;
import dev.egret.core.stream.FilterState;
import dev.egret.core.stream.StreamInfo;
import io.envoyproxy.envoy.extensions.filters.http.set_filter_state.v3.Config;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class SetFilterStateTest {
  /** Istio's connect_authority filter on connect_terminate (istio-waypoint-xds.md §5), as istiod writes it. */
  static final String ISTIO_CONNECT_AUTHORITY = """
      on_request_headers:
      - object_key: envoy.filters.listener.original_dst.local_ip
        format_string: { text_format_source: { inline_string: "%REQ(:AUTHORITY)%" } }
        shared_with_upstream: ONCE
      - object_key: io.istio.connect_authority
        factory_key: istio.hashable_string
        format_string: { text_format_source: { inline_string: "%REQ(:AUTHORITY)%" } }
        shared_with_upstream: ONCE
      - object_key: envoy.filters.listener.original_dst.remote_ip
        format_string: { text_format_source: { inline_string: "%DOWNSTREAM_REMOTE_ADDRESS%" } }
        shared_with_upstream: ONCE
      - object_key: io.istio.peer_principal
        factory_key: istio.hashable_string
        format_string: { text_format_source: { inline_string: "%DOWNSTREAM_PEER_URI_SAN%" } }
        shared_with_upstream: ONCE
      - object_key: io.istio.local_principal
        factory_key: envoy.string
        format_string: { text_format_source: { inline_string: "%DOWNSTREAM_LOCAL_URI_SAN%" } }
        shared_with_upstream: TRANSITIVE
        read_only: true
      """;

  private static FilterStateRules rules(String yaml) throws Exception {
    Config c = BootstrapLoader.parse(yaml, "test", Config.newBuilder()).build();
    ConfigPath at = ConfigPath.root("f");
    FilterStateRules r = FilterStateRules.compile(c.getOnRequestHeadersList(), at.field("on_request_headers"));
    assertThat(at.errors()).isEmpty();
    return r;
  }

  private static StreamInfo connectStream(String authority, FilterState connectionState) {
    StreamInfo info = StreamInfo.startingNow();
    info.setRequest(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.CONNECT, authority));
    info.request().headers().set("host", authority);
    info.setDownstreamAddresses(new InetSocketAddress("10.0.0.2", 15008), new InetSocketAddress("10.244.1.7", 51000));
    info.setDownstreamPeerUriSan("spiffe://cluster.local/ns/default/sa/sleep");
    info.setDownstreamLocalUriSan("spiffe://cluster.local/ns/default/sa/waypoint");
    info.attachConnection(connectionState, DynamicMetadata.forConnection());
    return info;
  }

  @Test
  void istioConnectAuthorityEntriesSetTheWaypointKeysWithTheirSharing() throws Exception {
    StreamInfo info = connectStream("10.96.0.10:8080", FilterState.forConnection());
    assertThat(rules(ISTIO_CONNECT_AUTHORITY).apply(info, info.filterState())).isEqualTo(5);
    FilterState fs = info.filterState();
    assertThat(fs.getString("envoy.filters.listener.original_dst.local_ip")).isEqualTo("10.96.0.10:8080");
    assertThat(fs.getString("io.istio.connect_authority")).isEqualTo("10.96.0.10:8080");
    assertThat(fs.getString("envoy.filters.listener.original_dst.remote_ip")).isEqualTo("10.244.1.7:51000");
    assertThat(fs.getString("io.istio.peer_principal")).isEqualTo("spiffe://cluster.local/ns/default/sa/sleep");
    assertThat(fs.get("io.istio.peer_principal").sharing()).isEqualTo(FilterState.Sharing.SHARED_WITH_UPSTREAM_CONNECTION);
    assertThat(fs.get("io.istio.local_principal").sharing())
        .isEqualTo(FilterState.Sharing.SHARED_WITH_UPSTREAM_CONNECTION_ONCE_AND_ALL);
    assertThat(fs.get("io.istio.local_principal").readOnly()).isTrue();
    // what the internal listener's connection starts with
    FilterState inner = fs.sharedWithUpstream();
    assertThat(inner.own()).containsOnlyKeys("envoy.filters.listener.original_dst.local_ip", "io.istio.connect_authority",
        "envoy.filters.listener.original_dst.remote_ip", "io.istio.peer_principal", "io.istio.local_principal");
    // and the access log prints them
    ConfigPath at = ConfigPath.root("log");
    AccessLogFormat log = AccessLogFormat.compileText(
        "%FILTER_STATE(io.istio.peer_principal:PLAIN)% %FILTER_STATE(io.istio.connect_authority)%", at);
    assertThat(log.format(info)).isEqualTo("spiffe://cluster.local/ns/default/sa/sleep \"10.96.0.10:8080\"");
  }

  @Test
  void aHostnameAuthorityIsNoAddressSoTheAddressKeyIsNotSet() throws Exception {
    StreamInfo info = connectStream("reviews.default.svc.cluster.local:9080", FilterState.forConnection());
    rules(ISTIO_CONNECT_AUTHORITY).apply(info, info.filterState());
    assertThat(info.filterState().getString("envoy.filters.listener.original_dst.local_ip")).isNull();
    assertThat(info.filterState().getString("io.istio.connect_authority")).isEqualTo("reviews.default.svc.cluster.local:9080");
  }

  @Test
  void readOnlyValuesAreNotReplacedAndSkipIfEmptySkips() throws Exception {
    FilterState conn = FilterState.forConnection();
    conn.set("io.istio.peer_principal", new FilterState.Value("spiffe://from/proxy-protocol", true, FilterState.Sharing.NONE));
    StreamInfo info = connectStream("10.96.0.10:8080", conn);
    FilterStateRules r = rules("""
        on_request_headers:
        - object_key: io.istio.peer_principal
          factory_key: envoy.string
          format_string: { text_format_source: { inline_string: "%DOWNSTREAM_PEER_URI_SAN%" } }
        - object_key: empty
          factory_key: envoy.string
          skip_if_empty: true
          format_string: { text_format_source: { inline_string: "%REQ(x-absent)%" }, omit_empty_values: true }
        - object_key: copy
          factory_key: envoy.string
          format_string: { text_format: "seen=%FILTER_STATE(io.istio.peer_principal:PLAIN)%" }
        """);
    assertThat(r.apply(info, info.filterState())).isEqualTo(1);
    assertThat(info.filterState().getString("io.istio.peer_principal")).isEqualTo("spiffe://from/proxy-protocol");
    assertThat(info.filterState().getString("empty")).isNull();
    assertThat(info.filterState().getString("copy")).isEqualTo("seen=spiffe://from/proxy-protocol");
  }

  @Test
  void unknownFactoriesAndNonTextFormatsAreRejectedByName() throws Exception {
    Config c = BootstrapLoader.parse("""
        on_request_headers:
        - object_key: my.key
          format_string: { text_format: "x" }
        - object_key: k
          factory_key: envoy.hashable_string.custom
          format_string: { text_format: "x" }
        - object_key: k
          factory_key: envoy.string
          format_string: { json_format: { a: "%PROTOCOL%" } }
        - object_key: k
          factory_key: envoy.string
          format_string: { text_format: "%NOT_A_COMMAND%" }
        """, "test", Config.newBuilder()).build();
    ConfigPath at = ConfigPath.root("f");
    assertThat(SetFilterStateFilterProvider.compile(c, at)).isNull();
    assertThat(at.errors()).hasSize(4);
    assertThat(at.errors().get(0).path()).endsWith("on_request_headers[0].object_key");
    assertThat(at.errors().get(0).message()).contains("'my.key' is not supported");
    assertThat(at.errors().get(1).path()).endsWith("on_request_headers[1].factory_key");
    assertThat(at.errors().get(2).path()).contains("on_request_headers[2].format_string");
    assertThat(at.errors().get(3).path()).contains("on_request_headers[3].format_string");
  }

  @Test
  void networkVariantSetsTheConnectionStateFromProxyProtocolMetadata() throws Exception {
    io.envoyproxy.envoy.extensions.filters.network.set_filter_state.v3.Config c = BootstrapLoader.parse("""
        on_new_connection:
        - object_key: io.istio.peer_principal
          factory_key: envoy.string
          format_string: { text_format_source: { inline_string: "%DYNAMIC_METADATA(envoy.filters.listener.proxy_protocol:peer_principal)%" } }
          shared_with_upstream: ONCE
        """, "test", io.envoyproxy.envoy.extensions.filters.network.set_filter_state.v3.Config.newBuilder()).build();
    ConfigPath at = ConfigPath.root("f");
    NetworkSetFilterState f = NetworkSetFilterState.compile(c, at);
    assertThat(at.errors()).isEmpty();
    DynamicMetadata md = DynamicMetadata.forConnection();
    md.merge("envoy.filters.listener.proxy_protocol", com.google.protobuf.Struct.newBuilder().putFields("peer_principal",
        com.google.protobuf.Value.newBuilder().setStringValue("spiffe://cluster.local/ns/a/sa/b").build()).build());
    ConnectionInfo conn = new ConnectionInfo(new InetSocketAddress("10.96.0.10", 8080),
        new InetSocketAddress("10.1.2.3", 4000), false, null, null, null, FilterState.forConnection(), md);
    StreamInfo connInfo = StreamInfo.startingNow();
    connInfo.attachConnection(conn.filterState(), conn.dynamicMetadata());
    assertThat(f.onNewConnection(conn, connInfo)).isEqualTo(1);
    assertThat(conn.filterState().getString("io.istio.peer_principal")).isEqualTo("spiffe://cluster.local/ns/a/sa/b");
    assertThat(List.copyOf(conn.filterState().own().keySet())).containsExactly("io.istio.peer_principal");
  }
}
