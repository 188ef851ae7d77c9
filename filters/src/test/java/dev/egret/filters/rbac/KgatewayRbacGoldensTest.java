package dev.egret.filters.rbac;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.Gson;
import dev.egret.core.config.BootstrapLoader;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import java.net.InetSocketAddress;
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
 * compiles and enforces nothing; each per-route {@code RBACPerRoute} CEL matcher tree (parsed
 * expressions, type-checked here) compiles and decides requests as the TrafficPolicy says.
 */
class KgatewayRbacGoldensTest {
  static final Path RBAC_GOLDENS = Path.of("..", "..", "shared", "testdata", "sheidkamp", "kgateway", "pkg",
      "kgateway", "translator", "gateway", "testutils", "outputs", "rbac");
  static final String PER_ROUTE = "type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBACPerRoute";
  static final Gson GSON = new Gson();

  @Test
  void emptyFilterConfigsCompileAndPerRouteCelMatchersCompile() throws Exception {
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
      RbacFilterFactory f = RbacFilterProvider.compile(pr.getRbac(), at);
      assertThat(at.errors()).isEmpty();
      assertThat(f.engine()).isNotNull();
    }
  }

  /** The per-route RBAC of a golden (kgateway repeats it on every route the policy targets). */
  static RbacEngine engine(String golden) throws Exception {
    List<Map<String, Object>> perRoute = new ArrayList<>();
    collect(new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(RBAC_GOLDENS.resolve(golden))),
        new ArrayList<>(), perRoute);
    assertThat(perRoute).isNotEmpty().allMatch(m -> m.equals(perRoute.get(0)));
    RBACPerRoute pr = BootstrapLoader.parse(json(perRoute.get(0)), golden, RBACPerRoute.newBuilder()).build();
    ConfigPath at = ConfigPath.root("rbac");
    RbacFilterFactory f = RbacFilterProvider.compile(pr.getRbac(), at);
    assertThat(at.errors()).isEmpty();
    return f.engine();
  }

  static RbacRequest.Builder request(String... headers) {
    DefaultHttpHeaders h = new DefaultHttpHeaders();
    for (int i = 0; i < headers.length; i += 2) {
      h.add(headers[i], headers[i + 1]);
    }
    return RbacRequest.builder("GET", h).authority("example.com").path("/bar")
        .sourceAddress(new InetSocketAddress("192.168.1.5", 40000))
        .localAddress(new InetSocketAddress("127.0.0.1", 80));
  }

  static RbacRequest.Builder jwt(Struct payload) {
    Struct ns = Struct.newBuilder().putFields("payload", Value.newBuilder().setStructValue(payload).build()).build();
    return request().dynamicMetadata(n -> n.equals("envoy.filters.http.jwt_authn") ? ns : null);
  }

  static Struct claims(String key, String value) {
    return Struct.newBuilder().putFields(key, Value.newBuilder().setStringValue(value).build()).build();
  }

  static void expect(RbacEngine e, RbacRequest.Builder r, boolean allowed, String policy) {
    RbacDecision d = e.evaluate(r.build());
    assertThat(d.allowed()).isEqualTo(allowed);
    assertThat(d.policyId()).isEqualTo(policy);
  }

  @Test
  void routeCelRbacAllowsJwtClaimTestBarOrGroup2AndDeniesTheRest() throws Exception {
    RbacEngine e = engine("route-cel-rbac.yaml");
    expect(e, jwt(claims("test", "bar")), true, "allow-request");
    expect(e, jwt(claims("groups", "group1,group2")), true, "allow-request");
    expect(e, jwt(claims("test", "baz")), false, "deny-request");
    expect(e, request(), false, "deny-request");
    assertThat(e.evaluate(request().build()).details())
        .isEqualTo("rbac_access_denied_matched_policy[deny-request]");
  }

  @Test
  void httprouteCelRbacAllowsTestFooOrGroup1() throws Exception {
    RbacEngine e = engine("httproute-cel-rbac.yaml");
    expect(e, jwt(claims("test", "foo")), true, "allow-request");
    expect(e, jwt(claims("groups", "group1")), true, "allow-request");
    expect(e, jwt(claims("test", "bar")), false, "deny-request");
  }

  @Test
  void gatewayCelRbacDeniesXFooBarOrXBarFooAndAllowsOthers() throws Exception {
    RbacEngine e = engine("gateway-cel-rbac.yaml");
    expect(e, request("x-foo", "bar"), false, "deny-request");
    expect(e, request("X-Bar", "foo"), false, "deny-request");
    expect(e, request("x-foo", "baz"), true, "allow-request");
    expect(e, request(), true, "allow-request");
  }

  @Test
  void routeCelRbacDenyDeniesSourcesInTenSlashEight() throws Exception {
    RbacEngine e = engine("route-cel-rbac-deny.yaml");
    expect(e, request().sourceAddress(new InetSocketAddress("10.1.2.3", 5555)), false, "deny-request");
    expect(e, request(), true, "allow-request");
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
