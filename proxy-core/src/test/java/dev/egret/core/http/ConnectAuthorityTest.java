package dev.egret.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ConnectAuthorityTest {
  @Test
  void acceptsIpv4Ipv6AndHostnameWithPort() {
    assertThat(ConnectAuthority.parse("10.96.12.34:80")).isEqualTo(new ConnectAuthority("10.96.12.34", 80, true));
    assertThat(ConnectAuthority.parse("[fd00::1]:443").toString()).isEqualTo("[fd00:0:0:0:0:0:0:1]:443");
    assertThat(ConnectAuthority.parse("Svc.NS.svc.cluster.local:65535"))
        .isEqualTo(new ConnectAuthority("svc.ns.svc.cluster.local", 65535, false));
  }

  @Test
  void canonicalisesIpv4MappedIpv6() {
    assertThat(ConnectAuthority.parse("[::ffff:10.0.0.1]:80")).isEqualTo(new ConnectAuthority("10.0.0.1", 80, true));
  }

  @Test
  void rejectsMissingOrBadPortsAndMalformedHosts() {
    for (String bad : new String[] {null, "", "10.0.0.1", "10.0.0.1:", "10.0.0.1:0", "10.0.0.1:65536",
        "10.0.0.1:+80", "10.0.0.1:8a", "fd00::1:80", "[fd00::1]", "[fd00::1]80", "[nothex]:80", ":80",
        "a..b:80", ".a:80", "-a:80", "a b:80", "a/b:80", "[fe80::1%eth0]:80"}) {
      assertThat(ConnectAuthority.parse(bad)).as(String.valueOf(bad)).isNull();
    }
  }
}
