package dev.egret.core.route;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.egret.core.config.ConfigError;
import dev.egret.core.config.ConfigPath;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;
import java.util.Set;

/** Builds route tables from JSON (protobuf JSON mapping) for the tests. */
final class RouteFixtures {
  static final Set<String> CLUSTERS = Set.of("a", "b", "c", "default", "api", "web");

  private RouteFixtures() {}

  static RouteConfiguration proto(String json) {
    RouteConfiguration.Builder b = RouteConfiguration.newBuilder();
    try {
      JsonFormat.parser().merge(json, b);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException(e);
    }
    return b.build();
  }

  /** Compiles and asserts there were no errors. */
  static RouteTable table(String json) {
    ConfigPath at = ConfigPath.root("");
    RouteTable t = RouteTable.compile(proto(json), at, CLUSTERS::contains);
    assertThat(at.errors()).isEmpty();
    assertThat(t).isNotNull();
    return t;
  }

  /** Compiles expecting failure; returns the errors. */
  static List<ConfigError> errors(String json) {
    ConfigPath at = ConfigPath.root("");
    RouteTable t = RouteTable.compile(proto(json), at, CLUSTERS::contains);
    assertThat(t).isNull();
    assertThat(at.errors()).isNotEmpty();
    return at.errors();
  }

  /** A table with one catch-all virtual host holding the given routes (a JSON array body). */
  static RouteTable routes(String routesJson) {
    return table("{\"name\":\"rc\",\"virtual_hosts\":[{\"name\":\"vh\",\"domains\":[\"*\"],\"routes\":["
        + routesJson + "]}]}");
  }

  static HttpHeaders headers(String... nameValues) {
    HttpHeaders h = new DefaultHttpHeaders();
    for (int i = 0; i < nameValues.length; i += 2) {
      h.add(nameValues[i], nameValues[i + 1]);
    }
    return h;
  }

  /** The name of the route matched for a path on host "h", or null. */
  static String matched(RouteTable t, String path, HttpHeaders headers) {
    RouteEntry r = t.route("h", path, headers);
    return r == null ? null : r.name();
  }

  static String matched(RouteTable t, String path) {
    return matched(t, path, headers());
  }
}
