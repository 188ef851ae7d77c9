package dev.egret.filters.rbac;

import static dev.egret.filters.rbac.Rbac.addr;
import static dev.egret.filters.rbac.Rbac.allowOne;
import static dev.egret.filters.rbac.Rbac.req;
import static dev.egret.filters.rbac.RbacEngineTest.allows;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Every principal kind, evaluated without sockets. */
class RbacPrincipalTest {
  static final String ANY = "{any: true}";

  static Rbac.Req mtls(String... uriSans) {
    return req("GET", "/").with(b -> b.tls(true).peerUriSans(List.of(uriSans)));
  }

  @Test
  void authenticatedMatchesAnyUriSanThenDnsSanThenSubject() {
    RbacEngine e = allowOne(ANY, "{authenticated: {principal_name: {exact: 'spiffe://td/ns/a/sa/b'}}}");
    assertThat(allows(e, mtls("spiffe://td/ns/x/sa/y", "spiffe://td/ns/a/sa/b"))).as("any URI SAN").isTrue();
    assertThat(allows(e, mtls("spiffe://td/ns/x/sa/y"))).isFalse();
    assertThat(allows(e, req("GET", "/").with(b -> b.tls(false).peerUriSans(List.of("spiffe://td/ns/a/sa/b")))))
        .as("no TLS, no identity").isFalse();
    RbacEngine dns = allowOne(ANY, "{authenticated: {principal_name: {suffix: .corp}}}");
    assertThat(allows(dns, req("GET", "/").with(b -> b.tls(true).peerUriSans(List.of("spiffe://x"))
        .peerDnsSans(List.of("svc.corp")))))
        .isTrue();
    RbacEngine subject = allowOne(ANY, "{authenticated: {principal_name: {prefix: 'CN=client'}}}");
    assertThat(allows(subject, req("GET", "/").with(b -> b.tls(true).peerSubject("CN=client,O=x")))).isTrue();
  }

  @Test
  void authenticatedWithoutANameNeedsACertificate() {
    RbacEngine e = allowOne(ANY, "{authenticated: {}}");
    assertThat(allows(e, mtls("spiffe://td/ns/a/sa/b"))).isTrue();
    assertThat(allows(e, req("GET", "/").with(b -> b.tls(true)))).as("TLS without a client certificate").isFalse();
  }

  @Test
  void istioServiceAccountRegexMatchesAsIstiodMeansIt() {
    RbacEngine e = allowOne(ANY,
        "{authenticated: {principal_name: {safe_regex: {regex: 'spiffe://.+/ns/foo/(.+/|)sa/sa-only(/.+)?'}}}}");
    assertThat(allows(e, mtls("spiffe://cluster.local/ns/foo/sa/sa-only"))).isTrue();
    assertThat(allows(e, mtls("spiffe://cluster.local/ns/foo/sa/sa-only-not"))).isFalse();
  }

  @Test
  void ipPrincipalsReadTheirOwnAddresses() {
    Rbac.Req r = req("GET", "/").with(b -> b.sourceAddress(addr("10.0.0.5", 1))
        .directRemoteAddress(addr("10.0.0.6", 1)).remoteAddress(addr("172.16.0.9", 1)));
    assertThat(allows(allowOne(ANY, "{source_ip: {address_prefix: 10.0.0.5, prefix_len: 32}}"), r)).isTrue();
    assertThat(allows(allowOne(ANY, "{direct_remote_ip: {address_prefix: 10.0.0.6, prefix_len: 32}}"), r)).isTrue();
    assertThat(allows(allowOne(ANY, "{direct_remote_ip: {address_prefix: 10.0.0.5, prefix_len: 32}}"), r)).isFalse();
    assertThat(allows(allowOne(ANY, "{remote_ip: {address_prefix: 172.16.0.0, prefix_len: 12}}"), r)).isTrue();
    assertThat(allows(allowOne(ANY, "{remote_ip: {address_prefix: 10.0.0.0, prefix_len: 8}}"), r)).isFalse();
    assertThat(allows(allowOne(ANY, "{remote_ip: {address_prefix: 0.0.0.0, prefix_len: 0}}"), r))
        .as("/0 matches every IPv4 address").isTrue();
  }

  @Test
  void headerAndUrlPathPrincipals() {
    assertThat(allows(allowOne(ANY, "{header: {name: x-user, string_match: {exact: alice}}}"),
        req("GET", "/").header("X-User", "alice"))).isTrue();
    assertThat(allows(allowOne(ANY, "{url_path: {path: {prefix: /public/}}}"), req("GET", "/public/x"))).isTrue();
    assertThat(allows(allowOne(ANY, "{url_path: {path: {prefix: /public/}}}"), req("GET", "/private"))).isFalse();
  }

  @Test
  void andOrNotIds() {
    RbacEngine e = allowOne(ANY, """
        {and_ids: {ids: [
          {or_ids: {ids: [{header: {name: a, present_match: true}}, {header: {name: b, present_match: true}}]}},
          {not_id: {header: {name: blocked, present_match: true}}}]}}""");
    assertThat(allows(e, req("GET", "/").header("b", "1"))).isTrue();
    assertThat(allows(e, req("GET", "/").header("a", "1").header("blocked", "1"))).isFalse();
    assertThat(allows(e, req("GET", "/"))).isFalse();
  }

  @Test
  void filterStatePeerPrincipalIsThePeersIdentity() {
    RbacEngine e = allowOne(ANY,
        "{filter_state: {key: io.istio.peer_principal, string_match: {prefix: 'spiffe://td/ns/a/'}}}");
    assertThat(allows(e, req("GET", "/").with(b -> b.filterState(k -> k.equals("io.istio.peer_principal")
        ? "spiffe://td/ns/a/sa/b" : null)))).isTrue();
    assertThat(allows(e, req("GET", "/"))).isFalse();
  }
}
