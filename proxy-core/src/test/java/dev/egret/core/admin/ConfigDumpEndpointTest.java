package dev.egret.core.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.TypeRegistry;
import com.google.protobuf.util.JsonFormat;
import io.envoyproxy.envoy.admin.v3.ConfigDump;
import io.envoyproxy.envoy.admin.v3.ListenersConfigDump;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import java.net.http.HttpResponse;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ConfigDumpEndpointTest {
  private static final Instant LOADED = Instant.parse("2026-01-02T03:04:05.600Z");

  private AdminHarness h;

  @BeforeEach
  void start() {
    h = new AdminHarness();
    h.admin.dump = ConfigDumps.fromStatic(TestBootstraps.small(), LOADED);
  }

  @AfterEach
  void stop() {
    h.close();
  }

  private static TypeRegistry registry() {
    return TypeRegistry.newBuilder()
        .add(ConfigDump.getDescriptor())
        .add(io.envoyproxy.envoy.admin.v3.SecretsConfigDump.getDescriptor())
        .add(io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3
            .HttpConnectionManager.getDescriptor())
        .add(io.envoyproxy.envoy.extensions.filters.http.router.v3.Router.getDescriptor())
        .add(io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret.getDescriptor())
        .build();
  }

  @Test
  void configDumpIsJsonWithExpandedAnysAndProtoFieldNames() throws Exception {
    HttpResponse<String> r = h.get("/config_dump");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
    assertThat(r.body())
        .contains("\"@type\": \"type.googleapis.com/envoy.admin.v3.ListenersConfigDump\"")
        .contains("\"static_listeners\"")
        .contains("\"name\": \"ingress\"")
        .contains("\"last_updated\": \"2026-01-02T03:04:05.600Z\"")
        .contains("\"@type\": \"type.googleapis.com/envoy.extensions.filters.network"
            + ".http_connection_manager.v3.HttpConnectionManager\"")
        .contains("\"stat_prefix\": \"ingress_http\"")
        .contains("\"@type\": \"type.googleapis.com/envoy.extensions.filters.http.router.v3.Router\"");
    ConfigDump.Builder parsed = ConfigDump.newBuilder();
    JsonFormat.parser().usingTypeRegistry(registry()).merge(r.body(), parsed);
    Listener listener = parsed.getConfigs(2).unpack(ListenersConfigDump.class)
        .getStaticListeners(0).getListener().unpack(Listener.class);
    assertThat(listener).isEqualTo(TestBootstraps.small().getStaticResources().getListeners(0));
  }

  @Test
  void privateKeysAreRedactedInBootstrapAndSecrets() throws Exception {
    HttpResponse<String> r = h.get("/config_dump");

    assertThat(r.body())
        .doesNotContain("secret-key-material")
        .contains("-----BEGIN CERTIFICATE-----");
    ConfigDump.Builder parsed = ConfigDump.newBuilder();
    JsonFormat.parser().usingTypeRegistry(registry()).merge(r.body(), parsed);
    Bootstrap boot = parsed.getConfigs(0).unpack(io.envoyproxy.envoy.admin.v3.BootstrapConfigDump.class)
        .getBootstrap();
    assertThat(boot.getStaticResources().getSecrets(0).getTlsCertificate().getPrivateKey().getInlineString())
        .isEqualTo("[redacted]");
    io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret secret = parsed.getConfigs(4)
        .unpack(io.envoyproxy.envoy.admin.v3.SecretsConfigDump.class).getStaticSecrets(0).getSecret()
        .unpack(io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret.class);
    assertThat(secret.getTlsCertificate().getPrivateKey().getInlineString()).isEqualTo("[redacted]");
  }

  @Test
  void resourceSelectsElementsEachPackedWithItsOwnType() throws Exception {
    HttpResponse<String> r = h.get("/config_dump?resource=static_listeners");

    assertThat(r.statusCode()).isEqualTo(200);
    ConfigDump.Builder parsed = ConfigDump.newBuilder();
    JsonFormat.parser().usingTypeRegistry(registry()).merge(r.body(), parsed);
    assertThat(parsed.getConfigsList()).extracting(Any::getTypeUrl)
        .containsExactly("type.googleapis.com/envoy.admin.v3.ListenersConfigDump.StaticListener");
    assertThat(parsed.getConfigs(0).unpack(ListenersConfigDump.StaticListener.class)
        .getListener().unpack(Listener.class).getName()).isEqualTo("ingress");
  }

  @Test
  void unknownResourceIs404() throws Exception {
    HttpResponse<String> r = h.get("/config_dump?resource=no_such_field");

    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.body()).isEqualTo("no_such_field not found in config dump\n");
  }

  @Test
  void maskTrimsEachSelectedResource() throws Exception {
    HttpResponse<String> r = h.get("/config_dump?resource=static_clusters&mask=last_updated");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body())
        .contains("\"@type\": \"type.googleapis.com/envoy.admin.v3.ClustersConfigDump.StaticCluster\"")
        .contains("\"last_updated\"")
        .doesNotContain("\"web\"");
  }

  @Test
  void maskInvalidForResourceIs400() throws Exception {
    HttpResponse<String> r = h.get("/config_dump?resource=static_clusters&mask=no_such_path");

    assertThat(r.statusCode()).isEqualTo(400);
  }

  @Test
  void maskWithoutResourceTrimsEveryTopLevelDumpKeepingItsType() throws Exception {
    HttpResponse<String> r = h.get("/config_dump?mask=static_listeners");

    ConfigDump.Builder parsed = ConfigDump.newBuilder();
    JsonFormat.parser().usingTypeRegistry(registry()).merge(r.body(), parsed);
    assertThat(parsed.getConfigsCount()).isEqualTo(5);
    assertThat(parsed.getConfigs(0).getValue()).isEqualTo(ByteString.EMPTY);
    assertThat(parsed.getConfigs(2).unpack(ListenersConfigDump.class).getStaticListenersCount()).isEqualTo(1);
    assertThat(r.body()).doesNotContain("static_route_configs", "static_clusters", "\"bootstrap\"");
  }

  @Test
  void typeUnknownToEgretPrintsItsTypeWithoutContent() throws Exception {
    Any foreign = Any.newBuilder().setTypeUrl("type.googleapis.com/io.istio.http.peer_metadata.Config")
        .setValue(ByteString.copyFromUtf8("\n\u0003abc")).build();
    h.admin.dump = ConfigDump.newBuilder().addConfigs(Any.pack(ListenersConfigDump.newBuilder()
        .addStaticListeners(ListenersConfigDump.StaticListener.newBuilder().setListener(Any.pack(
            Listener.newBuilder().setName("waypoint").addFilterChains(
                io.envoyproxy.envoy.config.listener.v3.FilterChain.newBuilder().addFilters(
                    io.envoyproxy.envoy.config.listener.v3.Filter.newBuilder()
                        .setName("peer").setTypedConfig(foreign))).build())))
        .build())).build();

    HttpResponse<String> r = h.get("/config_dump");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body())
        .contains("\"name\": \"waypoint\"")
        .contains("\"@type\": \"type.googleapis.com/io.istio.http.peer_metadata.Config\"");
  }

  @Test
  void contextTypeRegistryPrintsExtensionPayloads() throws Exception {
    com.google.protobuf.Descriptors.Descriptor ext = com.google.protobuf.Descriptors.FileDescriptor.buildFrom(
        com.google.protobuf.DescriptorProtos.FileDescriptorProto.newBuilder()
            .setName("test/ext.proto").setPackage("io.example.ext").setSyntax("proto3")
            .addMessageType(com.google.protobuf.DescriptorProtos.DescriptorProto.newBuilder()
                .setName("Config")
                .addField(com.google.protobuf.DescriptorProtos.FieldDescriptorProto.newBuilder()
                    .setName("mode").setNumber(1)
                    .setType(com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Type.TYPE_STRING)))
            .build(),
        new com.google.protobuf.Descriptors.FileDescriptor[0]).getMessageTypes().get(0);
    com.google.protobuf.DynamicMessage config = com.google.protobuf.DynamicMessage.newBuilder(ext)
        .setField(ext.findFieldByName("mode"), "strict").build();
    h.admin.typeRegistry = TypeRegistry.newBuilder().add(ext).build();
    h.admin.dump = ConfigDump.newBuilder().addConfigs(Any.pack(ListenersConfigDump.newBuilder()
        .addStaticListeners(ListenersConfigDump.StaticListener.newBuilder().setListener(Any.pack(
            Listener.newBuilder().setName("l").addFilterChains(
                io.envoyproxy.envoy.config.listener.v3.FilterChain.newBuilder().addFilters(
                    io.envoyproxy.envoy.config.listener.v3.Filter.newBuilder().setName("ext")
                        .setTypedConfig(Any.newBuilder()
                            .setTypeUrl("type.googleapis.com/io.example.ext.Config")
                            .setValue(config.toByteString())))).build())))
        .build())).build();

    HttpResponse<String> r = h.get("/config_dump");

    assertThat(r.body()).contains("\"@type\": \"type.googleapis.com/io.example.ext.Config\",\n")
        .contains("\"mode\": \"strict\"");
  }
}
