package dev.egret.filters.rbac;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.Gson;
import dev.egret.core.config.BootstrapLoader;
import dev.egret.core.config.ConfigError;
import dev.egret.core.config.ConfigPath;
import io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC;
import io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBACPerRoute;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * kgateway's CEL RBAC goldens, loaded as they are: the connection manager's empty {@code RBAC {}}
 * compiles and enforces nothing; the per-route {@code RBACPerRoute} CEL matcher trees are refused at
 * {@code matcher} until Egret evaluates CEL and per-route filter config.
 */
class KgatewayRbacGoldensTest {
  static final Path RBAC_GOLDENS = Path.of("..", "..", "shared", "testdata", "sheidkamp", "kgateway", "pkg",
      "kgateway", "translator", "gateway", "testutils", "outputs", "rbac");
  static final String PER_ROUTE = "type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBACPerRoute";
  static final Gson GSON = new Gson();

  @Test
  void emptyFilterConfigsCompileAndPerRouteCelMatchersAreRefusedAtMatcher() throws Exception {
    assertThat(RBAC_GOLDENS).isDirectory();
    List<Map<String, Object>> filters = new ArrayList<>();
    List<Map<String, Object>> perRoute = new ArrayList<>();
    try (Stream<Path> files = Files.list(RBAC_GOLDENS)) {
      for (Path f : (Iterable<Path>) files.sorted()::iterator) {
        collect(new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(f)), filters, perRoute);
      }
    }
    assertThat(filters).hasSizeGreaterThanOrEqualTo(4);
    assertThat(perRoute).hasSizeGreaterThanOrEqualTo(4);
    for (Map<String, Object> m : filters) {
      ConfigPath at = ConfigPath.root("typed_config");
      RbacFilterFactory f = RbacFilterProvider.compile(BootstrapLoader.parse(json(m), "golden", RBAC.newBuilder())
          .build(), at);
      assertThat(at.errors()).isEmpty();
      assertThat(f.engine()).as("an empty RBAC enforces nothing").isNull();
    }
    for (Map<String, Object> m : perRoute) {
      RBACPerRoute pr = BootstrapLoader.parse(json(m), "golden", RBACPerRoute.newBuilder()).build();
      ConfigPath at = ConfigPath.root("rbac");
      assertThat(RbacFilterProvider.compile(pr.getRbac(), at)).isNull();
      assertThat(at.errors()).extracting(ConfigError::path).containsExactly("rbac.matcher");
    }
  }

  @SuppressWarnings("unchecked")
  static void collect(Object node, List<Map<String, Object>> filters, List<Map<String, Object>> perRoute) {
    if (node instanceof Map<?, ?> map) {
      Object type = map.get("@type");
      if (RbacFilterProvider.TYPE_URL.equals(type)) {
        filters.add((Map<String, Object>) map);
        return;
      }
      if (PER_ROUTE.equals(type)) {
        perRoute.add((Map<String, Object>) map);
        return;
      }
      map.values().forEach(v -> collect(v, filters, perRoute));
    } else if (node instanceof List<?> list) {
      list.forEach(v -> collect(v, filters, perRoute));
    }
  }

  static String json(Map<String, Object> typed) {
    Map<String, Object> m = new LinkedHashMap<>(typed);
    m.remove("@type");
    return GSON.toJson(m);
  }
}
