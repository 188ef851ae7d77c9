package dev.egret.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.Gson;
import com.google.protobuf.Message;
import dev.egret.core.accesslog.AccessLogWriter;
import dev.egret.core.http.HcmCompiler;
import dev.egret.core.listener.ListenerCompiler;
import dev.egret.core.pool.PoolRegistry;
import dev.egret.core.route.RouteTable;
import dev.egret.core.router.ClusterRuntime;
import dev.egret.core.router.RouterImpl;
import dev.egret.core.stats.Stats;
import dev.egret.core.upstream.DnsResolverFactory;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * kgateway's translator goldens (../shared/testdata), loaded as they are: every cluster, route
 * configuration and listener in them either compiles or is refused with located, specific errors.
 * None may crash the compiler or be half-accepted. (Running them as xDS is the xDS client's work.)
 */
class KgatewayGoldensTest {
  static final Path GOLDENS = Path.of("..", "..", "shared", "testdata", "sheidkamp", "kgateway", "pkg",
      "kgateway", "translator", "gateway", "testutils", "outputs");
  static final Gson GSON = new Gson();

  record Outcome(String file, String kind, String name, List<ConfigError> errors) {}

  @Test
  void everyResourceCompilesOrIsRefusedWithALocatedError() throws Exception {
    assertThat(GOLDENS).isDirectory();
    List<Outcome> outcomes = new ArrayList<>();
    try (Stream<Path> files = Files.walk(GOLDENS)) {
      for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".yaml")).sorted()::iterator) {
        outcomes.addAll(compileFile(f));
      }
    }
    assertThat(outcomes).hasSizeGreaterThan(100);
    long accepted = outcomes.stream().filter(o -> o.errors().isEmpty()).count();
    assertThat(accepted).as("resources Egret runs today").isPositive();
    for (Outcome o : outcomes) {
      for (ConfigError e : o.errors()) {
        assertThat(e.path()).as(o.file() + " " + o.kind() + " " + o.name()).isNotEmpty();
        assertThat(e.message()).as(o.file() + " " + e).matches(
            ".*(not supported|unknown|needs|is not|must|requires|required).*");
      }
    }
  }

  @Test
  void aRouteConfigurationWithTimeoutsFromTheGoldensRoutesRequests() throws Exception {
    List<Outcome> routes = compileFile(GOLDENS.resolve("traffic-policy/timeout-gateway.yaml")).stream()
        .filter(o -> o.kind().equals("route")).toList();
    assertThat(routes).isNotEmpty();
    assertThat(routes).allSatisfy(o -> assertThat(o.errors()).as(o.name()).isEmpty());
  }

  @SuppressWarnings("unchecked")
  private static List<Outcome> compileFile(Path file) throws IOException {
    Map<String, Object> doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(file));
    List<Outcome> out = new ArrayList<>();
    String name = GOLDENS.relativize(file).toString();
    Stats stats = new Stats();
    try (AccessLogWriter writer = new AccessLogWriter(stats.serverCounter("access_log.dropped"))) {
      for (Object c : (List<Object>) doc.getOrDefault("Clusters", List.of())) {
        Cluster proto = parse(c, Cluster.newBuilder(), out, name, "cluster");
        if (proto != null) {
          ConfigPath at = ConfigPath.root("cluster").resource(proto.getName());
          ClusterRuntime.compile(proto, at, stats, DnsResolverFactory.system(), new PoolRegistry());
          out.add(new Outcome(name, "cluster", proto.getName(), at.errors()));
        }
      }
      for (Object r : (List<Object>) doc.getOrDefault("Routes", List.of())) {
        RouteConfiguration proto = parse(r, RouteConfiguration.newBuilder(), out, name, "route");
        if (proto != null) {
          ConfigPath at = ConfigPath.root("route").resource(proto.getName());
          RouteTable.compile(proto, at, cluster -> true);
          out.add(new Outcome(name, "route", proto.getName(), at.errors()));
        }
      }
      HcmCompiler hcms = new HcmCompiler(stats, (rc, at, perFilter) -> {
        RouteTable t = RouteTable.compile(rc, at, cluster -> true, perFilter);
        return t == null ? null : new RouterImpl(t, Map.of());
      }, writer);
      for (Object l : (List<Object>) doc.getOrDefault("Listeners", List.of())) {
        Listener proto = parse(l, Listener.newBuilder(), out, name, "listener");
        if (proto != null) {
          ConfigPath at = ConfigPath.root("listener").resource(proto.getName());
          ListenerCompiler.compile(proto, at, stats, hcms::compile);
          out.add(new Outcome(name, "listener", proto.getName(), at.errors()));
        }
      }
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static <T extends Message> T parse(Object yaml, Message.Builder b, List<Outcome> out, String file,
      String kind) {
    try {
      return (T) BootstrapLoader.parse(GSON.toJson(yaml), file, b).build();
    } catch (ConfigException e) {
      out.add(new Outcome(file, kind, "?", e.errors()));
      return null;
    }
  }
}
