package dev.egret.filters.rbac;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.egret.core.config.BootstrapLoader;
import dev.egret.core.config.ConfigError;
import dev.egret.core.config.ConfigException;
import dev.egret.core.config.ConfigPath;
import dev.egret.core.stats.Stats;
import io.envoyproxy.envoy.extensions.filters.network.rbac.v3.RBAC;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Network RBAC configuration: what compiles (Istio's config dump) and what is rejected by path. */
class NetworkRbacConfigTest {
  static final Path CONFIG_DUMP = Path.of("..", "..", "shared", "testdata", "istio", "istio", "istioctl", "pkg",
      "authz", "testdata", "configdump.yaml");

  static RBAC parse(String yaml) {
    try {
      return BootstrapLoader.parse(yaml, "test network rbac", RBAC.newBuilder()).build();
    } catch (ConfigException e) {
      throw new AssertionError(e.getMessage(), e);
    }
  }

  static List<String> errors(String yaml) {
    ConfigPath at = ConfigPath.root("rbac");
    NetworkRbac r = NetworkRbacFilterProvider.compile(parse(yaml), at, new Stats());
    assertThat(r).as("filter of an invalid config").isNull();
    return at.errors().stream().map(ConfigError::toString).toList();
  }

  static NetworkRbac compile(String yaml) {
    ConfigPath at = ConfigPath.root("rbac");
    NetworkRbac r = NetworkRbacFilterProvider.compile(parse(yaml), at, new Stats());
    assertThat(at.errors()).as("compile errors").isEmpty();
    return r;
  }

  @Test
  void continuousEnforcementIsRefusedByPath() {
    assertThat(errors("stat_prefix: tcp.\nenforcement_type: CONTINUOUS\nrules: {}\n"))
        .containsExactly("rbac.enforcement_type: enforcement_type CONTINUOUS is not supported by Egret "
            + "(only ONE_TIME_ON_FIRST_BYTE)");
  }

  @Test
  void missingStatPrefixIsAnError() {
    assertThat(errors("rules: {}\n")).containsExactly("rbac.stat_prefix: stat_prefix is required");
  }

  @Test
  void delayDenyIsRejectedByPath() {
    assertThat(errors("stat_prefix: tcp.\ndelay_deny: 1s\n"))
        .containsExactly("rbac.delay_deny: field 'delay_deny' of envoy.extensions.filters.network.rbac.v3.RBAC "
            + "is not supported by Egret");
  }

  @Test
  void errorsInsidePoliciesCarryTheirPath() {
    assertThat(errors("""
        stat_prefix: tcp.
        shadow_rules:
          policies:
            p:
              permissions: [{any: true}]
              principals: [{custom: {name: y}}]
        """)).containsExactly("rbac.shadow_rules.policies.p.principals[0].custom: field 'custom' of "
            + "envoy.config.rbac.v3.Principal is not supported by Egret");
  }

  @Test
  void connectionViewMatchesSourceAndDestinationButNoHttpAttributes() {
    NetworkRbac r = compile("""
        stat_prefix: tcp.
        rules:
          policies:
            src: {permissions: [{destination_port: 9000}], principals: [{source_ip: {address_prefix: 10.1.0.0, prefix_len: 16}}]}
            sni: {permissions: [{requested_server_name: {exact: api.example.com}}], principals: [{any: true}]}
            path: {permissions: [{url_path: {path: {prefix: /}}}], principals: [{any: true}]}
        """);
    RbacRequest base = RbacRequest.builder("", new DefaultHttpHeaders())
        .localAddress(new InetSocketAddress("10.0.0.1", 9000))
        .sourceAddress(new InetSocketAddress("10.1.2.3", 5555)).build();
    assertThat(r.engine().evaluate(base).policyId()).isEqualTo("src");
    RbacRequest other = RbacRequest.builder("", new DefaultHttpHeaders())
        .localAddress(new InetSocketAddress("10.0.0.1", 9001))
        .sourceAddress(new InetSocketAddress("10.1.2.3", 5555)).build();
    assertThat(r.engine().evaluate(other).allowed()).isFalse();
    RbacRequest sni = RbacRequest.builder("", new DefaultHttpHeaders())
        .localAddress(new InetSocketAddress("10.0.0.1", 9001))
        .requestedServerName("api.example.com").build();
    assertThat(r.engine().evaluate(sni).policyId()).isEqualTo("sni");
  }

  /** Every network RBAC filter in istioctl's config dump compiles; Istio's empty ALLOW rules deny all. */
  @Test
  void istioConfigDumpNetworkRbacFiltersCompile() throws Exception {
    List<JsonObject> found = new ArrayList<>();
    collect(JsonParser.parseString(Files.readString(CONFIG_DUMP)), found);
    assertThat(found).hasSize(3);
    for (JsonObject typed : found) {
      assertThat(typed.get("@type").getAsString()).isEqualTo(NetworkRbacFilterProvider.TYPE_URL);
      JsonObject copy = typed.deepCopy();
      copy.remove("@type");
      ConfigPath at = ConfigPath.root("configdump");
      Stats stats = new Stats();
      NetworkRbac r = NetworkRbacFilterProvider.compile(parse(copy.toString()), at, stats);
      assertThat(at.errors()).isEmpty();
      assertThat(r.engine()).isNotNull();
      assertThat(r.engine().policyNames()).isEmpty();
      assertThat(r.engine().evaluate(RbacRequest.builder("", new DefaultHttpHeaders()).build()).details())
          .isEqualTo("rbac_access_denied_matched_policy[none]");
      assertThat(stats.scrape()).contains("envoy_tcp_rbac_allowed", "envoy_tcp_rbac_istio_dry_run_allow_shadow_denied");
    }
  }

  private static void collect(JsonElement e, List<JsonObject> out) {
    if (e.isJsonArray()) {
      e.getAsJsonArray().forEach(c -> collect(c, out));
    } else if (e.isJsonObject()) {
      JsonObject o = e.getAsJsonObject();
      if (o.has("name") && o.get("name").isJsonPrimitive()
          && "envoy.filters.network.rbac".equals(o.get("name").getAsString()) && o.has("typed_config")) {
        out.add(o.getAsJsonObject("typed_config"));
        return;
      }
      o.entrySet().forEach(en -> collect(en.getValue(), out));
    }
  }
}
