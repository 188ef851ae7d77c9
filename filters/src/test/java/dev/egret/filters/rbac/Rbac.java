package dev.egret.filters.rbac;

import static org.assertj.core.api.Assertions.assertThat;

import dev.egret.core.config.BootstrapLoader;
import dev.egret.core.config.ConfigError;
import dev.egret.core.config.ConfigException;
import dev.egret.core.config.ConfigPath;
import io.envoyproxy.envoy.config.rbac.v3.RBAC;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetSocketAddress;
import java.util.List;

/** Test helpers: engines from YAML, requests built in code. */
final class Rbac {
  private Rbac() {}

  /** Compiles a {@code envoy.config.rbac.v3.RBAC} written in YAML; fails the test on errors. */
  static RbacEngine engine(String yaml) {
    ConfigPath at = ConfigPath.root("rules");
    RbacEngine e = RbacCompiler.compile(parse(yaml), at);
    assertThat(at.errors()).as("compile errors").isEmpty();
    return e;
  }

  /** The errors compiling {@code yaml} reports. */
  static List<ConfigError> errors(String yaml) {
    ConfigPath at = ConfigPath.root("rules");
    RbacEngine e = RbacCompiler.compile(parse(yaml), at);
    assertThat(e).as("engine of an invalid config").isNull();
    return at.errors();
  }

  static RBAC parse(String yaml) {
    try {
      return BootstrapLoader.parse(yaml, "test rbac", RBAC.newBuilder()).build();
    } catch (ConfigException e) {
      throw new AssertionError(e.getMessage(), e);
    }
  }

  /** A policy set with one ALLOW policy named p: {@code permission} and {@code principal} as YAML flow maps. */
  static RbacEngine allowOne(String permission, String principal) {
    return engine("policies:\n  p:\n    permissions: [" + permission + "]\n    principals: [" + principal + "]\n");
  }

  static Req req(String method, String path) {
    return new Req(method, path);
  }

  static InetSocketAddress addr(String ip, int port) {
    return new InetSocketAddress(ip, port);
  }

  /** A request under construction. */
  static final class Req {
    final HttpHeaders headers = new DefaultHttpHeaders();
    final RbacRequest.Builder b;

    Req(String method, String path) {
      b = RbacRequest.builder(method, headers).path(path).authority("example.com")
          .localAddress(addr("10.0.0.1", 8080)).sourceAddress(addr("192.168.1.7", 40000));
    }

    Req header(String name, String value) {
      headers.add(name, value);
      return this;
    }

    Req with(java.util.function.Consumer<RbacRequest.Builder> c) {
      c.accept(b);
      return this;
    }

    RbacRequest build() {
      return b.build();
    }
  }
}
