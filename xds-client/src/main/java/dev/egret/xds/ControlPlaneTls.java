package dev.egret.xds;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.egret.core.config.ConfigError;
import dev.egret.core.config.ConfigException;
import dev.egret.core.config.ConfigPath;
import dev.egret.core.config.Fields;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsCertificate;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * TLS to the control plane from the xDS cluster's {@code UpstreamTlsContext}: the trusted CA
 * ({@code validation_context.trusted_ca}; the JDK's trust store when unset), a client certificate for
 * mutual TLS ({@code tls_certificates[0]}), and {@code sni}, which is also the name the server
 * certificate must carry. Files are read when the channel is made. Anything else is refused by path.
 */
final class ControlPlaneTls {
  static final String UPSTREAM_TLS_TYPE = "type.googleapis.com/" + UpstreamTlsContext.getDescriptor().getFullName();

  /** The SSL context and the authority to verify the server's certificate against (null: the address). */
  record Settings(SslContext context, String authority) {}

  private ControlPlaneTls() {}

  /** {@code index}: the cluster's position in {@code static_resources.clusters}, for error paths. */
  static Settings of(Cluster c, int index) throws ConfigException {
    ConfigPath root = ConfigPath.root("static_resources").field("clusters").index(index).resource(c.getName());
    ConfigPath at = root.field("transport_socket").field("typed_config");
    if (!c.getTransportSocket().getTypedConfig().getTypeUrl().equals(UPSTREAM_TLS_TYPE)) {
      at.error("the xDS cluster's transport socket must be " + UPSTREAM_TLS_TYPE);
      root.throwIfErrors();
    }
    UpstreamTlsContext ctx;
    try {
      ctx = c.getTransportSocket().getTypedConfig().unpack(UpstreamTlsContext.class);
    } catch (InvalidProtocolBufferException e) {
      throw new ConfigException(new ConfigError(at.path(), c.getName(), "cannot decode: " + e.getMessage()));
    }
    Fields.allowOnly(ctx, at, Set.of("common_tls_context", "sni"));
    CommonTlsContext common = ctx.getCommonTlsContext();
    ConfigPath cat = at.field("common_tls_context");
    Fields.allowOnly(common, cat, Set.of("tls_certificates", "validation_context", "alpn_protocols"));
    SslContextBuilder b = GrpcSslContexts.forClient();
    if (common.hasValidationContext()) {
      ConfigPath v = cat.field("validation_context");
      Fields.allowOnly(common.getValidationContext(), v, Set.of("trusted_ca"));
      byte[] ca = read(common.getValidationContext().getTrustedCa(), v.field("trusted_ca"));
      if (ca != null) {
        b.trustManager(new ByteArrayInputStream(ca));
      }
    }
    if (common.getTlsCertificatesCount() > 1) {
      cat.field("tls_certificates").error("at most one client certificate is supported");
    } else if (common.getTlsCertificatesCount() == 1) {
      TlsCertificate t = common.getTlsCertificates(0);
      ConfigPath tat = cat.field("tls_certificates").index(0);
      Fields.allowOnly(t, tat, Set.of("certificate_chain", "private_key"));
      byte[] chain = read(t.getCertificateChain(), tat.field("certificate_chain"));
      byte[] key = read(t.getPrivateKey(), tat.field("private_key"));
      if (chain != null && key != null) {
        b.keyManager(new ByteArrayInputStream(chain), new ByteArrayInputStream(key));
      }
    }
    root.throwIfErrors();
    try {
      return new Settings(b.build(), ctx.getSni().isEmpty() ? null : ctx.getSni());
    } catch (IOException | IllegalArgumentException e) {
      throw new ConfigException(new ConfigError(at.path(), c.getName(), "cannot build the TLS context: " + e.getMessage()));
    }
  }

  private static byte[] read(DataSource ds, ConfigPath at) {
    Fields.allowOnly(ds, at, Set.of("filename", "inline_string", "inline_bytes"));
    switch (ds.getSpecifierCase()) {
      case FILENAME -> {
        try {
          return Files.readAllBytes(Path.of(ds.getFilename()));
        } catch (IOException e) {
          at.field("filename").error("cannot read " + ds.getFilename() + ": " + e.getMessage());
          return null;
        }
      }
      case INLINE_STRING -> {
        return ds.getInlineString().getBytes(StandardCharsets.UTF_8);
      }
      case INLINE_BYTES -> {
        return ds.getInlineBytes().toByteArray();
      }
      default -> {
        at.error("a filename, inline_string or inline_bytes is required");
        return null;
      }
    }
  }
}
