package dev.egret.filters.headermutation;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.Gson;
import com.google.protobuf.Any;
import dev.egret.core.config.BootstrapLoader;
import dev.egret.core.config.ConfigError;
import dev.egret.core.config.ConfigPath;
import dev.egret.core.http.filter.FilterContext;
import dev.egret.core.route.RouteEntry;
import dev.egret.core.route.RouteTable;
import dev.egret.core.stats.Stats;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.filters.http.header_mutation.v3.HeaderMutation;
import io.envoyproxy.envoy.extensions.filters.http.header_mutation.v3.HeaderMutationPerRoute;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * kgateway's TrafficPolicy header-modifier goldens, loaded as they are: the disabled filter entries
 * (typed as {@code HeaderMutationPerRoute}) compile, and every route configuration compiles with its
 * per-route mutations at the levels kgateway puts them.
 */
class KgatewayHeaderModifierGoldensTest {
  static final Path DIR = Path.of("..", "..", "shared", "testdata", "sheidkamp", "kgateway", "pkg", "kgateway",
      "translator", "gateway", "testutils", "outputs", "traffic-policy");
  static final HeaderMutationFilterProvider PROVIDER = new HeaderMutationFilterProvider();
  static final FilterContext CONTEXT = new FilterContext(new Stats(), "http").named(
      "envoy.extensions.filters.http.header_mutation");

  @SuppressWarnings("unchecked")
  @Test
  void everyHeaderModifierGoldenCompiles() throws Exception {
    int routes = 0;
    int filters = 0;
    for (String name : List.of("header-modifiers-all.yaml", "header-modifiers-gateway.yaml",
        "header-modifiers-route.yaml", "header-modifiers-from-secret.yaml")) {
      Map<String, Object> doc = new Yaml(new SafeConstructor(new LoaderOptions()))
          .load(Files.readString(DIR.resolve(name)));
      for (Object l : (List<Object>) doc.get("Listeners")) {
        String json = new Gson().toJson(l);
        if (json.contains(HeaderMutationFilterProvider.PER_ROUTE_TYPE_URL)) {
          filters++; // the listener's entry is an empty HeaderMutationPerRoute, disabled
          ConfigPath at = ConfigPath.root(name);
          Any any = Any.pack(HeaderMutationPerRoute.getDefaultInstance());
          assertThat(PROVIDER.compile(any, at, CONTEXT)).isNotNull();
          assertThat(at.errors()).isEmpty();
        }
      }
      for (Object r : (List<Object>) doc.get("Routes")) {
        RouteConfiguration rc = BootstrapLoader.parse(new Gson().toJson(r), name, RouteConfiguration.newBuilder())
            .build();
        ConfigPath at = ConfigPath.root(name);
        RouteTable t = RouteTable.compile(rc, at, c -> true,
            (filter, config, cat) -> PROVIDER.compilePerRoute(config, cat, CONTEXT.named(filter)));
        assertThat(at.errors()).as(name).isEmpty();
        for (var vh : t.virtualHosts()) {
          for (RouteEntry e : vh.routes()) {
            routes++;
            for (Object level : e.perFilterConfigLevels("envoy.extensions.filters.http.header_mutation")) {
              assertThat(level).isInstanceOf(Mutations.class);
            }
          }
        }
      }
    }
    assertThat(filters).isGreaterThanOrEqualTo(4);
    assertThat(routes).isGreaterThanOrEqualTo(4);
  }

  @Test
  void gatewayGoldenPutsTheGatewayPolicyOnTheRouteConfigurationLevel() throws Exception {
    @SuppressWarnings("unchecked")
    Map<String, Object> doc = new Yaml(new SafeConstructor(new LoaderOptions()))
        .load(Files.readString(DIR.resolve("header-modifiers-all.yaml")));
    @SuppressWarnings("unchecked")
    Object first = ((List<Object>) doc.get("Routes")).get(0);
    RouteConfiguration rc = BootstrapLoader.parse(new Gson().toJson(first), "all", RouteConfiguration.newBuilder())
        .build();
    ConfigPath at = ConfigPath.root("all");
    RouteTable t = RouteTable.compile(rc, at, c -> true,
        (filter, config, cat) -> PROVIDER.compilePerRoute(config, cat, CONTEXT.named(filter)));
    RouteEntry e = t.route("example.com", "/", new io.netty.handler.codec.http.DefaultHttpHeaders());
    assertThat(e.perFilterConfigLevels("envoy.extensions.filters.http.header_mutation")).hasSize(2);
  }

  @Test
  void badMutationsAreRefusedWithTheirPaths() throws Exception {
    HeaderMutation.Builder b = HeaderMutation.newBuilder();
    BootstrapLoader.parse("""
        {"mutations": {
          "requestMutations": [ {"remove": ":path"}, {"append": {"header": {"key": "x-a", "value": "%BOGUS%"}}}, {} ],
          "responseMutations": [ {"append": {"header": {"key": "Host", "value": "h"}}} ],
          "queryParameterMutations": [ {"remove": "q"} ] } }
        """, "t", b);
    ConfigPath at = ConfigPath.root("typed_config");
    assertThat(PROVIDER.compile(Any.pack(b.build()), at, CONTEXT)).isNull();
    assertThat(at.errors()).extracting(ConfigError::path).containsExactly(
        "typed_config.mutations.query_parameter_mutations",
        "typed_config.mutations.request_mutations[0].remove",
        "typed_config.mutations.request_mutations[1].append.header.value",
        "typed_config.mutations.request_mutations[2]",
        "typed_config.mutations.response_mutations[0].append.header.key");
  }
}
