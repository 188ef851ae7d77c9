package dev.egret.core.tls;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.egret.core.config.ConfigPath;
import dev.egret.core.config.Fields;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * SDS secrets declared in the bootstrap ({@code static_resources.secrets}), and the step that puts
 * them where TLS contexts name them: {@code tls_certificate_sds_secret_configs} become
 * {@code tls_certificates}, {@code validation_context_sds_secret_config} becomes
 * {@code validation_context}, and a {@code combined_validation_context} becomes the secret's
 * validation context with the {@code default_validation_context} merged over it, as Envoy merges them.
 *
 * <p>A reference that names a declared secret is resolved whether or not it carries an
 * {@code sds_config}: that is how Istio's waypoint configuration (which names {@code default} and
 * {@code ROOTCA} from the {@code sds-grpc} cluster) runs with certificates from files. A name no
 * secret has is an error at the reference's path (secrets over xDS are not supported yet). Files a
 * secret names are read when TLS contexts are compiled and re-read when they change
 * ({@link DownstreamTls} reloads), so a rotation needs no restart.
 */
public final class StaticSecrets {
  private static final String DOWNSTREAM = "type.googleapis.com/" + DownstreamTlsContext.getDescriptor().getFullName();
  private static final String UPSTREAM = "type.googleapis.com/" + UpstreamTlsContext.getDescriptor().getFullName();

  private final Map<String, Secret> byName;

  private StaticSecrets(Map<String, Secret> byName) {
    this.byName = Map.copyOf(byName);
  }

  /** None declared. */
  public static final StaticSecrets NONE = new StaticSecrets(Map.of());

  /** Compiles {@code static_resources.secrets}; errors at {@code at} (the {@code secrets} field). */
  public static StaticSecrets compile(List<Secret> secrets, ConfigPath at) {
    Map<String, Secret> out = new LinkedHashMap<>();
    for (int i = 0; i < secrets.size(); i++) {
      Secret s = secrets.get(i);
      ConfigPath p = at.index(i).resource(s.getName());
      Fields.allowOnly(s, p, Set.of("name", "tls_certificate", "validation_context"));
      if (s.getName().isEmpty()) {
        p.field("name").error("a secret needs a name");
      } else if (out.putIfAbsent(s.getName(), s) != null) {
        p.field("name").error("duplicate secret name '" + s.getName() + "'");
      }
    }
    return new StaticSecrets(out);
  }

  public boolean isEmpty() {
    return byName.isEmpty();
  }

  /** The bootstrap's static listeners and clusters with every secret reference resolved. */
  public Bootstrap resolve(Bootstrap b, ConfigPath staticResources) {
    Bootstrap.Builder out = b.toBuilder();
    var sr = out.getStaticResourcesBuilder();
    for (int i = 0; i < sr.getListenersCount(); i++) {
      Listener l = sr.getListeners(i);
      sr.setListeners(i, resolve(l, staticResources.field("listeners").index(i).resource(l.getName())));
    }
    for (int i = 0; i < sr.getClustersCount(); i++) {
      Cluster c = sr.getClusters(i);
      sr.setClusters(i, resolve(c, staticResources.field("clusters").index(i).resource(c.getName())));
    }
    return out.build();
  }

  /** A listener with its filter chains' TLS contexts resolved. */
  public Listener resolve(Listener l, ConfigPath at) {
    Listener.Builder b = l.toBuilder();
    for (int i = 0; i < b.getFilterChainsCount(); i++) {
      FilterChain fc = b.getFilterChains(i);
      if (fc.hasTransportSocket()) {
        b.setFilterChains(i, fc.toBuilder().setTransportSocket(resolve(fc.getTransportSocket(),
            at.field("filter_chains").index(i).field("transport_socket"))));
      }
    }
    if (b.hasDefaultFilterChain() && b.getDefaultFilterChain().hasTransportSocket()) {
      b.setDefaultFilterChain(b.getDefaultFilterChain().toBuilder().setTransportSocket(resolve(
          b.getDefaultFilterChain().getTransportSocket(), at.field("default_filter_chain").field("transport_socket"))));
    }
    return b.build();
  }

  /** A cluster with its TLS context resolved. */
  public Cluster resolve(Cluster c, ConfigPath at) {
    return c.hasTransportSocket()
        ? c.toBuilder().setTransportSocket(resolve(c.getTransportSocket(), at.field("transport_socket"))).build()
        : c;
  }

  private TransportSocket resolve(TransportSocket ts, ConfigPath at) {
    Any any = ts.getTypedConfig();
    ConfigPath t = at.field("typed_config");
    try {
      if (any.getTypeUrl().equals(DOWNSTREAM)) {
        DownstreamTlsContext d = any.unpack(DownstreamTlsContext.class);
        if (!references(d.getCommonTlsContext())) {
          return ts;
        }
        d = d.toBuilder().setCommonTlsContext(resolve(d.getCommonTlsContext(), t.field("common_tls_context"))).build();
        return ts.toBuilder().setTypedConfig(Any.pack(d)).build();
      }
      if (any.getTypeUrl().equals(UPSTREAM)) {
        UpstreamTlsContext u = any.unpack(UpstreamTlsContext.class);
        if (!references(u.getCommonTlsContext())) {
          return ts;
        }
        u = u.toBuilder().setCommonTlsContext(resolve(u.getCommonTlsContext(), t.field("common_tls_context"))).build();
        return ts.toBuilder().setTypedConfig(Any.pack(u)).build();
      }
    } catch (InvalidProtocolBufferException e) {
      return ts; // the TLS compile reports what cannot be decoded
    }
    return ts;
  }

  private static boolean references(CommonTlsContext c) {
    return c.getTlsCertificateSdsSecretConfigsCount() > 0 || c.hasValidationContextSdsSecretConfig()
        || (c.hasCombinedValidationContext() && c.getCombinedValidationContext().hasValidationContextSdsSecretConfig());
  }

  /** {@code c} with its secret references replaced by the secrets' contents. */
  CommonTlsContext resolve(CommonTlsContext c, ConfigPath at) {
    CommonTlsContext.Builder b = c.toBuilder();
    for (int i = 0; i < c.getTlsCertificateSdsSecretConfigsCount(); i++) {
      ConfigPath p = at.field("tls_certificate_sds_secret_configs").index(i);
      Secret s = lookup(c.getTlsCertificateSdsSecretConfigs(i), p);
      if (s != null) {
        if (!s.hasTlsCertificate()) {
          p.error("secret '" + s.getName() + "' holds no tls_certificate");
        } else {
          b.addTlsCertificates(s.getTlsCertificate());
        }
      }
    }
    b.clearTlsCertificateSdsSecretConfigs();
    if (c.hasValidationContextSdsSecretConfig()) {
      CertificateValidationContext v = validation(c.getValidationContextSdsSecretConfig(),
          at.field("validation_context_sds_secret_config"));
      b.clearValidationContextSdsSecretConfig();
      if (v != null) {
        b.setValidationContext(v);
      }
    } else if (c.hasCombinedValidationContext() && c.getCombinedValidationContext().hasValidationContextSdsSecretConfig()) {
      var combined = c.getCombinedValidationContext();
      ConfigPath cp = at.field("combined_validation_context");
      Fields.allowOnly(combined, cp, Set.of("default_validation_context", "validation_context_sds_secret_config"));
      CertificateValidationContext v = validation(combined.getValidationContextSdsSecretConfig(),
          cp.field("validation_context_sds_secret_config"));
      if (v != null) {
        b.clearCombinedValidationContext();
        b.setValidationContext(v.toBuilder().mergeFrom(combined.getDefaultValidationContext()).build());
      }
    }
    return b.build();
  }

  private CertificateValidationContext validation(SdsSecretConfig ref, ConfigPath at) {
    Secret s = lookup(ref, at);
    if (s == null) {
      return null;
    }
    if (!s.hasValidationContext()) {
      at.error("secret '" + s.getName() + "' holds no validation_context");
      return null;
    }
    return s.getValidationContext();
  }

  private Secret lookup(SdsSecretConfig ref, ConfigPath at) {
    requireNonNull(ref, "ref");
    Fields.allowOnly(ref, at, Set.of("name", "sds_config"));
    Secret s = byName.get(ref.getName());
    if (s == null) {
      at.field("name").error("secret '" + ref.getName() + "' is not declared in static_resources.secrets"
          + " (secrets over SDS from a control plane are not supported yet)");
    }
    return s;
  }
}
