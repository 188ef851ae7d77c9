package dev.egret.filters.rbac;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.egret.core.config.ConfigPath;
import dev.egret.filters.cel.CelCondition;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each CEL attribute as RBAC supplies it from a request, checked through a compiled expression. */
class RbacCelAttributesTest {
  static final long START = 1_700_000_000_123L;

  static RbacRequest request() {
    io.netty.handler.codec.http.HttpHeaders h = new DefaultHttpHeaders()
        .add("X-Multi", "a").add("x-multi", "b").add("referer", "https://ref.example/")
        .add("user-agent", "curl/8").add("x-request-id", "rid-1").add("content-length", "42");
    Struct jwt = Struct.newBuilder().putFields("sub", Value.newBuilder().setStringValue("alice").build())
        .putFields("n", Value.newBuilder().setNumberValue(3).build()).build();
    return RbacRequest.builder("POST", h).authority("api.example:8080").path("/v1/items?limit=5#frag")
        .scheme("https")
        .sourceAddress(new InetSocketAddress("10.0.0.7", 51000))
        .localAddress(new InetSocketAddress("192.168.0.1", 8443))
        .requestedServerName("api.example").tls(true)
        .peerUriSans(List.of("spiffe://cluster.local/ns/a/sa/b", "spiffe://second"))
        .peerDnsSans(List.of("client.example")).peerSubject("CN=client")
        .localUriSan("spiffe://cluster.local/ns/egress/sa/egret")
        .protocol("HTTP/2").startEpochMillis(START).route("r1", "vh1")
        .dynamicMetadata(ns -> ns.equals("jwt") ? jwt : null)
        .filterState(k -> k.equals("io.istio.peer_principal") ? "spiffe://cluster.local/ns/a/sa/b" : null)
        .build();
  }

  static boolean eval(String expr) {
    ConfigPath at = ConfigPath.root("c");
    CelCondition c = CelCondition.compileSource(expr, at);
    assertThat(at.errors()).as(expr).isEmpty();
    return c.test(request().celActivation());
  }

  static void holds(String expr) {
    assertThat(eval(expr)).as(expr).isTrue();
  }

  @Test
  void requestAttributes() {
    holds("request.path == '/v1/items?limit=5#frag'");
    holds("request.url_path == '/v1/items'");
    holds("request.host == 'api.example:8080'");
    holds("request.scheme == 'https'");
    holds("request.method == 'POST'");
    holds("request.headers['x-multi'] == 'a,b'");
    holds("request.headers[':method'] == 'POST' && request.headers[':authority'] == 'api.example:8080'");
    holds("'x-multi' in request.headers && !('x-absent' in request.headers)");
    holds("request.referer == 'https://ref.example/'");
    holds("request.useragent == 'curl/8'");
    holds("request.id == 'rid-1'");
    holds("request.protocol == 'HTTP/2'");
    holds("request.query == 'limit=5'");
    holds("request.size == 42");
    holds("request.time == timestamp('2023-11-14T22:13:20.123Z')");
  }

  @Test
  void addressAttributesCarryThePortAsEnvoyDoes() {
    holds("source.address == '10.0.0.7:51000' && source.port == 51000");
    holds("source.address.startsWith('10.')");
    holds("destination.address == '192.168.0.1:8443' && destination.port == 8443");
  }

  @Test
  void connectionAttributesUseTheFirstSan() {
    holds("connection.mtls");
    holds("connection.requested_server_name == 'api.example'");
    holds("connection.uri_san_peer_certificate == 'spiffe://cluster.local/ns/a/sa/b'");
    holds("connection.dns_san_peer_certificate == 'client.example'");
    holds("connection.subject_peer_certificate == 'CN=client'");
    holds("connection.uri_san_local_certificate == 'spiffe://cluster.local/ns/egress/sa/egret'");
  }

  @Test
  void metadataFilterStateAndXds() {
    holds("metadata.filter_metadata['jwt']['sub'] == 'alice' && metadata.filter_metadata['jwt']['n'] == 3.0");
    holds("!('other' in metadata.filter_metadata)");
    holds("filter_state['io.istio.peer_principal'] == 'spiffe://cluster.local/ns/a/sa/b'");
    holds("xds.route_name == 'r1' && xds.virtual_host_name == 'vh1'");
  }

  @Test
  void attributesEgretCannotSupplyMakeTheConditionFalseNotAnError() {
    assertThat(eval("connection.tls_version == 'TLSv1.3'")).isFalse();
    assertThat(eval("connection.tls_version != 'TLSv1.3'")).isFalse();
    assertThat(eval("request.headers['x-absent'] == ''")).isFalse();
    assertThat(eval("metadata.filter_metadata['nope']['x'] == 1")).isFalse();
  }

  @Test
  void aPolicyConditionGatesItsPolicy() {
    RbacEngine e = Rbac.engine("""
        policies:
          from-ten:
            permissions: [{any: true}]
            principals: [{any: true}]
            condition:
              call_expr:
                function: startsWith
                target: {id: 2, select_expr: {operand: {id: 1, ident_expr: {name: source}}, field: address}}
                args: [{id: 4, const_expr: {string_value: "10."}}]
              id: 3
        """);
    assertThat(e.evaluate(request()).allowed()).isTrue();
    assertThat(e.evaluate(request()).policyId()).isEqualTo("from-ten");
    RbacRequest other = RbacRequest.builder("GET", new DefaultHttpHeaders()).path("/")
        .sourceAddress(new InetSocketAddress("172.16.0.1", 1)).build();
    assertThat(e.evaluate(other).allowed()).isFalse();
  }
}
