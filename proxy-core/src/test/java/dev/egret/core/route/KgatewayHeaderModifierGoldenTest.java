package dev.egret.core.route;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.Gson;
import dev.egret.core.config.BootstrapLoader;
import dev.egret.core.config.ConfigPath;
import dev.egret.core.stream.StreamInfo;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * kgateway's {@code http-with-header-modifier} golden (HTTPRoute RequestHeaderModifier filters, on the
 * route and on each backend), loaded as it is: it compiles, and the route and weighted-cluster
 * mutations do what the HTTPRoute asks.
 */
class KgatewayHeaderModifierGoldenTest {
  static final Path GOLDEN = Path.of("..", "..", "shared", "testdata", "sheidkamp", "kgateway", "pkg", "kgateway",
      "translator", "gateway", "testutils", "outputs", "http-with-header-modifier-proxy.yaml");

  @SuppressWarnings("unchecked")
  static RouteTable load() throws Exception {
    Map<String, Object> doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(GOLDEN));
    List<Object> routes = (List<Object>) doc.get("Routes");
    assertThat(routes).hasSize(1);
    RouteConfiguration rc = BootstrapLoader.parse(new Gson().toJson(routes.get(0)), "golden",
        RouteConfiguration.newBuilder()).build();
    ConfigPath at = ConfigPath.root("Routes[0]");
    RouteTable t = RouteTable.compile(rc, at, c -> true);
    assertThat(at.errors()).isEmpty();
    return t;
  }

  @Test
  void routeLevelAddSetAndRemoveApplyAsTheHttpRouteSays() throws Exception {
    RouteEntry r = load().route("example.com", "/header/x", new DefaultHttpHeaders());
    HttpHeaders h = new DefaultHttpHeaders().add("x-header-add-1", "client").add("x-header-set-1", "client")
        .add("x-header-remove-1", "a").add("X-Header-Remove-2", "b").add("x-keep", "k");
    r.mutateRequestHeaders(h, StreamInfo.startingNow(), null);
    assertThat(h.getAll("x-header-add-1")).containsExactly("client", "header-add-1");
    assertThat(h.getAll("x-header-add-2")).containsExactly("header-add-2");
    assertThat(h.getAll("x-header-set-1")).containsExactly("header-set-1");
    assertThat(h.getAll("x-backend-header-set-2")).containsExactly("header-set-2");
    assertThat(h.contains("x-header-remove-1")).isFalse();
    assertThat(h.contains("x-header-remove-2")).isFalse();
    assertThat(h.get("x-keep")).isEqualTo("k");
  }

  @Test
  void eachBackendOfOneClusterKeepsItsOwnHeaderSet() throws Exception {
    RouteEntry r = load().route("example.com", "/multiple-backends", new DefaultHttpHeaders());
    ClusterAction a = r.clusterAction();
    for (long random : new long[] {0, 1}) {
      WeightedCluster picked = a.pickWeighted(random);
      assertThat(picked.name()).isEqualTo("kube_default_example-svc_8080");
      HttpHeaders h = new DefaultHttpHeaders().add("x-backend-header-set-1", "client");
      r.mutateRequestHeaders(h, StreamInfo.startingNow(), picked);
      assertThat(h.getAll("x-backend-header-set-1")).containsExactly("header-set-" + (random + 1));
    }
  }
}
