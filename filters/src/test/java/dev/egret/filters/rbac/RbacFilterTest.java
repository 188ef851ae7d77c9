package dev.egret.filters.rbac;

import static dev.egret.filters.rbac.Rbac.addr;
import static org.assertj.core.api.Assertions.assertThat;

import dev.egret.core.config.BootstrapLoader;
import dev.egret.core.config.ConfigPath;
import dev.egret.core.http.ConnectionInfo;
import dev.egret.core.http.filter.HttpFilter;
import dev.egret.core.http.filter.HttpFilterCallbacks;
import dev.egret.core.route.RouteEntry;
import dev.egret.core.stream.ResponseFlag;
import dev.egret.core.stream.StreamInfo;
import io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;

/** The filter on its callbacks: what it reads from the connection and stream, what it answers, what it counts. */
class RbacFilterTest {
  /** Records the local reply a filter sends. */
  static final class Callbacks implements HttpFilterCallbacks {
    final StreamInfo info = StreamInfo.startingNow();
    final ConnectionInfo conn;
    int status;
    String body;
    String details;
    ResponseFlag flag;

    Callbacks(ConnectionInfo conn) {
      this.conn = conn;
      info.setDownstreamAddresses(conn.local(), conn.remote());
    }

    @Override
    public StreamInfo info() {
      return info;
    }

    @Override
    public ConnectionInfo connection() {
      return conn;
    }

    @Override
    public EventLoop eventLoop() {
      throw new UnsupportedOperationException("RBAC never leaves the stack");
    }

    @Override
    public RouteEntry route() {
      return null;
    }

    @Override
    public void continueRequest() {
      throw new AssertionError("RBAC never stops a request");
    }

    @Override
    public void sendLocalReply(int status, String body, String details, ResponseFlag flag, HttpHeaders extra) {
      this.status = status;
      this.body = body;
      this.details = details;
      this.flag = flag;
    }
  }

  static RbacFilterFactory factory(String yaml) throws Exception {
    ConfigPath at = ConfigPath.root("typed_config");
    RbacFilterFactory f = RbacFilterProvider.compile(BootstrapLoader.parse(yaml, "t", RBAC.newBuilder()).build(), at);
    assertThat(at.errors()).isEmpty();
    return f;
  }

  static HttpRequest request(HttpMethod m, String uri, String host) {
    HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, m, uri);
    r.headers().set("host", host);
    return r;
  }

  static final ConnectionInfo PLAIN = new ConnectionInfo(addr("10.0.0.1", 8080), addr("10.9.0.2", 41000), false,
      null, null, null);

  @Test
  void deniesWith403AndPolicyDetailsAndNoFlagAndCounts() throws Exception {
    RbacFilterFactory f = factory("""
        rules:
          action: DENY
          policies:
            "no posts": {permissions: [{header: {name: ':method', exact_match: POST}}], principals: [{any: true}]}
        shadow_rules:
          policies:
            only-get: {permissions: [{header: {name: ':method', exact_match: GET}}], principals: [{any: true}]}
        """);
    HttpFilter filter = f.newFilter();
    Callbacks post = new Callbacks(PLAIN);
    assertThat(filter.onRequestHeaders(post, request(HttpMethod.POST, "/post", "httpbin.org")))
        .isEqualTo(HttpFilter.Status.CONTINUE);
    assertThat(post.status).isEqualTo(403);
    assertThat(post.body).isEqualTo("RBAC: access denied");
    assertThat(post.details).isEqualTo("rbac_access_denied_matched_policy[no_posts]");
    assertThat(post.flag).isNull();
    Callbacks get = new Callbacks(PLAIN);
    filter.onRequestHeaders(get, request(HttpMethod.GET, "/get", "httpbin.org"));
    assertThat(get.status).isZero();
    assertThat(f.stats()).extracting(RbacStats::allowed, RbacStats::denied, RbacStats::shadowAllowed,
        RbacStats::shadowDenied).containsExactly(1L, 1L, 1L, 1L);
  }

  @Test
  void shadowRulesAloneNeverDeny() throws Exception {
    RbacFilterFactory f = factory("""
        shadow_rules: {policies: {}}
        shadow_rules_stat_prefix: istio_dry_run_allow_
        """);
    Callbacks cb = new Callbacks(PLAIN);
    f.newFilter().onRequestHeaders(cb, request(HttpMethod.GET, "/", "a"));
    assertThat(cb.status).isZero();
    assertThat(f.stats().shadowDenied()).isEqualTo(1);
    assertThat(f.stats().denied()).isZero();
  }

  @Test
  void readsAddressesSniAndPeerIdentityFromTheConnection() throws Exception {
    RbacFilterFactory f = factory("""
        rules:
          policies:
            p:
              permissions: [{and_rules: {rules: [{destination_port: 15008}, {requested_server_name: {exact: api.test}},
                                                 {destination_ip: {address_prefix: 10.0.0.1, prefix_len: 32}}]}}]
              principals: [{and_ids: {ids: [
                {authenticated: {principal_name: {exact: 'spiffe://td/ns/a/sa/b'}}},
                {filter_state: {key: io.istio.peer_principal, string_match: {exact: 'spiffe://td/ns/a/sa/b'}}},
                {direct_remote_ip: {address_prefix: 10.9.0.0, prefix_len: 16}},
                {remote_ip: {address_prefix: 203.0.113.0, prefix_len: 24}}]}}]
        """);
    ConnectionInfo mtls = new ConnectionInfo(addr("10.0.0.1", 15008), addr("10.9.0.2", 41000), true, "api.test",
        "spiffe://td/ns/a/sa/b", "spiffe://td/ns/egress/sa/waypoint");
    Callbacks cb = new Callbacks(mtls);
    cb.info.setDownstreamRemoteAddress(addr("203.0.113.9", 1)); // as after XFF
    f.newFilter().onRequestHeaders(cb, request(HttpMethod.GET, "/", "api.test"));
    assertThat(cb.status).isZero();
    assertThat(f.stats().allowed()).isEqualTo(1);

    Callbacks other = new Callbacks(new ConnectionInfo(addr("10.0.0.1", 15008), addr("10.9.0.2", 41000), true,
        "api.test", "spiffe://td/ns/a/sa/c", null));
    other.info.setDownstreamRemoteAddress(addr("203.0.113.9", 1));
    f.newFilter().onRequestHeaders(other, request(HttpMethod.GET, "/", "api.test"));
    assertThat(other.status).isEqualTo(403);
    assertThat(other.details).isEqualTo("rbac_access_denied_matched_policy[none]");
  }
}
