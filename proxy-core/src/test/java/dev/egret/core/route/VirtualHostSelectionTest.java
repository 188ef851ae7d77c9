package dev.egret.core.route;

import static dev.egret.core.route.RouteFixtures.errors;
import static dev.egret.core.route.RouteFixtures.table;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class VirtualHostSelectionTest {
  private static String vh(String name, String... domains) {
    return "{\"name\":\"" + name + "\",\"domains\":[\"" + String.join("\",\"", domains)
        + "\"],\"routes\":[{\"name\":\"r-" + name + "\",\"match\":{\"prefix\":\"/\"},\"route\":{\"cluster\":\"a\"}}]}";
  }

  private static RouteTable config(String... vhosts) {
    return table("{\"name\":\"rc\",\"virtual_hosts\":[" + String.join(",", vhosts) + "]}");
  }

  private static String host(RouteTable t, String authority) {
    VirtualHostRoutes v = t.virtualHost(authority);
    return v == null ? null : v.name();
  }

  private final RouteTable table = config(
      vh("exact", "www.foo.com"),
      vh("suffix-short", "*.foo.com"),
      vh("suffix-long", "*-bar.foo.com"),
      vh("prefix-short", "www.*"),
      vh("prefix-long", "www.foo.*"),
      vh("all", "*"));

  @Test
  void exactDomainBeatsEveryWildcard() {
    assertThat(host(table, "www.foo.com")).isEqualTo("exact");
  }

  @Test
  void exactDomainIsCaseInsensitive() {
    assertThat(host(table, "WWW.Foo.COM")).isEqualTo("exact");
  }

  @Test
  void longestSuffixWildcardWins() {
    assertThat(host(table, "baz-bar.foo.com")).isEqualTo("suffix-long");
    assertThat(host(table, "baz.foo.com")).isEqualTo("suffix-short");
  }

  @Test
  void suffixWildcardBeatsPrefixWildcard() {
    assertThat(host(table, "www.x.foo.com")).isEqualTo("suffix-short");
  }

  @Test
  void longestPrefixWildcardWinsOverShorterPrefix() {
    assertThat(host(table, "www.foo.org")).isEqualTo("prefix-long");
    assertThat(host(table, "www.example.org")).isEqualTo("prefix-short");
  }

  @Test
  void wildcardSuffixDomainBeatsCatchAll() {
    assertThat(host(table, "api.foo.com")).isEqualTo("suffix-short");
    assertThat(host(table, "example.net")).isEqualTo("all");
  }

  @Test
  void wildcardNeverMatchesEmptyRemainder() {
    assertThat(host(table, ".foo.com")).isEqualTo("all");
    assertThat(host(table, "-bar.foo.com")).isEqualTo("suffix-short");
    assertThat(host(table, "www.")).isEqualTo("all");
  }

  @Test
  void portTakesPartInMatchingByDefault() {
    RouteTable t = config(vh("plain", "foo.com"), vh("withport", "foo.com:8080"), vh("all", "*"));
    assertThat(host(t, "foo.com")).isEqualTo("plain");
    assertThat(host(t, "foo.com:8080")).isEqualTo("withport");
    assertThat(host(t, "foo.com:9090")).isEqualTo("all");
  }

  @Test
  void portedHostFallsToSuffixWildcardOnlyIfPortMatchesToo() {
    RouteTable t = config(vh("wild", "*.foo.com"), vh("wildport", "*.foo.com:443"));
    assertThat(host(t, "a.foo.com:443")).isEqualTo("wildport");
    assertThat(host(t, "a.foo.com:80")).isNull();
  }

  @Test
  void ignorePortInHostMatchingStripsTheRequestPort() {
    RouteTable t = table("{\"name\":\"rc\",\"ignore_port_in_host_matching\":true,\"virtual_hosts\":["
        + vh("plain", "foo.com") + "," + vh("v6", "[::1]") + "]}");
    assertThat(host(t, "foo.com:9090")).isEqualTo("plain");
    assertThat(host(t, "FOO.com")).isEqualTo("plain");
    assertThat(host(t, "[::1]:80")).isEqualTo("v6");
    assertThat(host(t, "[::1]")).isEqualTo("v6");
  }

  @Test
  void noMatchAndNoCatchAllGivesNull() {
    RouteTable t = config(vh("exact", "foo.com"));
    assertThat(host(t, "bar.com")).isNull();
    assertThat(t.route("bar.com", "/", RouteFixtures.headers())).isNull();
  }

  @Test
  void missingAuthorityOnlyMatchesWhenCatchAllIsTheOnlyDomain() {
    assertThat(host(config(vh("all", "*")), null)).isEqualTo("all");
    assertThat(host(table, null)).isNull();
  }

  @Test
  void duplicateDomainAcrossVirtualHostsIsRejected() {
    var errs = errors("{\"name\":\"rc\",\"virtual_hosts\":[" + vh("one", "foo.com") + "," + vh("two", "FOO.com")
        + "]}");
    assertThat(errs).anySatisfy(e -> {
      assertThat(e.path()).isEqualTo("virtual_hosts[1].domains[0]");
      assertThat(e.message()).contains("foo.com");
      assertThat(e.resource()).isEqualTo("rc");
    });
  }

  @Test
  void secondCatchAllIsRejected() {
    var errs = errors("{\"name\":\"rc\",\"virtual_hosts\":[" + vh("one", "*") + "," + vh("two", "*") + "]}");
    assertThat(errs).anySatisfy(e -> assertThat(e.message()).contains("'*'"));
  }

  @Test
  void thousandVirtualHostsEachResolveToTheirOwn() {
    List<String> hosts = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      hosts.add(vh("h" + i, "svc" + i + ".example.com", "*.ns" + i + ".svc", "svc" + i + ".*"));
    }
    RouteTable t = config(hosts.toArray(new String[0]));
    for (int i = 0; i < 1000; i += 37) {
      assertThat(host(t, "svc" + i + ".example.com")).isEqualTo("h" + i);
      assertThat(host(t, "x.ns" + i + ".svc")).isEqualTo("h" + i);
      assertThat(host(t, "svc" + i + ".other")).isEqualTo("h" + i);
    }
    assertThat(host(t, "nobody.example.com")).isNull();
  }

  @Test
  void resultNamesRouteAndVirtualHost() {
    RouteEntry r = table.route("www.foo.com", "/x", RouteFixtures.headers());
    assertThat(r.name()).isEqualTo("r-exact");
    assertThat(r.virtualHostName()).isEqualTo("exact");
    assertThat(r.actionType()).isEqualTo(ActionType.CLUSTER);
  }
}
