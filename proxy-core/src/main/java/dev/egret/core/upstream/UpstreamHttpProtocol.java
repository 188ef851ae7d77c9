package dev.egret.core.upstream;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.Durations;
import dev.egret.core.config.ConfigPath;
import dev.egret.core.config.Fields;
import io.envoyproxy.envoy.config.core.v3.Http2ProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.UpstreamHttpProtocolOptions;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import java.time.Duration;
import java.util.Set;

/**
 * How a cluster speaks HTTP upstream, from its {@code envoy.extensions.upstreams.http.v3.HttpProtocolOptions}
 * (in {@code typed_extension_protocol_options}); without one, HTTP/1.1 with Envoy's defaults.
 *
 * @param version                  HTTP/1.1, HTTP/2, or ALPN-negotiated
 * @param idleTimeout              close a pooled connection idle this long ({@code
 *                                 common_http_protocol_options.idle_timeout}, default 1 h); zero = never
 * @param autoSni                  set the upstream SNI from the request's host (or {@link #overrideAutoSniHeader})
 * @param autoSanValidation        verify the upstream certificate against that same name
 * @param overrideAutoSniHeader    request header to take the SNI from instead of the host, or null
 * @param http2MaxConcurrentStreams {@code http2_protocol_options.max_concurrent_streams} (default 1024,
 *                                 the current upstream default)
 */
public record UpstreamHttpProtocol(Version version, Duration idleTimeout, boolean autoSni,
    boolean autoSanValidation, String overrideAutoSniHeader, int http2MaxConcurrentStreams) {

  /** Which HTTP version the cluster uses. */
  public enum Version {
    HTTP1,
    HTTP2,
    /** ALPN over TLS ({@code h2} preferred, else HTTP/1.1); HTTP/1.1 without TLS. */
    AUTO
  }

  /** The extension name, which is also the {@code typed_extension_protocol_options} key. */
  public static final String EXTENSION = "envoy.extensions.upstreams.http.v3.HttpProtocolOptions";

  static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofHours(1);
  static final int DEFAULT_MAX_CONCURRENT_STREAMS = 1024;

  /** HTTP/1.1, idle timeout 1 h, no auto SNI. */
  public static final UpstreamHttpProtocol DEFAULT = new UpstreamHttpProtocol(Version.HTTP1,
      DEFAULT_IDLE_TIMEOUT, false, false, null, DEFAULT_MAX_CONCURRENT_STREAMS);

  public UpstreamHttpProtocol {
    requireNonNull(version, "version");
    requireNonNull(idleTimeout, "idleTimeout");
  }

  /** Compiles the {@code Any} found under {@link #EXTENSION}; reports errors at {@code at}, returns null then. */
  static UpstreamHttpProtocol compile(Any any, ConfigPath at) {
    if (!any.is(HttpProtocolOptions.class)) {
      at.error("expected " + EXTENSION + ", found type URL '" + any.getTypeUrl() + "'");
      return null;
    }
    HttpProtocolOptions o;
    try {
      o = any.unpack(HttpProtocolOptions.class);
    } catch (InvalidProtocolBufferException e) {
      at.error("cannot decode " + EXTENSION + ": " + e.getMessage());
      return null;
    }
    int before = at.errorCount();
    Fields.allowOnly(o, at, Set.of("common_http_protocol_options", "upstream_http_protocol_options",
        "explicit_http_config", "auto_config"));
    Duration idle = DEFAULT_IDLE_TIMEOUT;
    if (o.hasCommonHttpProtocolOptions()) {
      ConfigPath c = at.field("common_http_protocol_options");
      Fields.allowOnly(o.getCommonHttpProtocolOptions(), c, Set.of("idle_timeout"));
      if (o.getCommonHttpProtocolOptions().hasIdleTimeout()) {
        idle = Duration.ofNanos(Durations.toNanos(o.getCommonHttpProtocolOptions().getIdleTimeout()));
        if (idle.isNegative()) {
          c.field("idle_timeout").error("must not be negative");
        }
      }
    }
    boolean autoSni = false;
    boolean autoSan = false;
    String sniHeader = null;
    if (o.hasUpstreamHttpProtocolOptions()) {
      UpstreamHttpProtocolOptions u = o.getUpstreamHttpProtocolOptions();
      Fields.allowOnly(u, at.field("upstream_http_protocol_options"),
          Set.of("auto_sni", "auto_san_validation", "override_auto_sni_header"));
      autoSni = u.getAutoSni();
      autoSan = u.getAutoSanValidation();
      sniHeader = u.getOverrideAutoSniHeader().isEmpty() ? null : u.getOverrideAutoSniHeader();
    }
    Version version = null;
    Http2ProtocolOptions h2 = null;
    ConfigPath h2At = null;
    if (o.hasExplicitHttpConfig()) {
      ConfigPath e = at.field("explicit_http_config");
      HttpProtocolOptions.ExplicitHttpConfig x = o.getExplicitHttpConfig();
      Fields.allowOnly(x, e, Set.of("http_protocol_options", "http2_protocol_options"));
      if (x.hasHttpProtocolOptions()) {
        version = Version.HTTP1;
        Fields.allowOnly(x.getHttpProtocolOptions(), e.field("http_protocol_options"), Set.of());
      } else if (x.hasHttp2ProtocolOptions()) {
        version = Version.HTTP2;
        h2 = x.getHttp2ProtocolOptions();
        h2At = e.field("http2_protocol_options");
      } else if (!x.hasHttp3ProtocolOptions()) {
        e.error("explicit_http_config needs http_protocol_options or http2_protocol_options");
      }
    } else if (o.hasAutoConfig()) {
      ConfigPath a = at.field("auto_config");
      HttpProtocolOptions.AutoHttpConfig x = o.getAutoConfig();
      Fields.allowOnly(x, a, Set.of("http_protocol_options", "http2_protocol_options"));
      version = Version.AUTO;
      if (x.hasHttpProtocolOptions()) {
        Fields.allowOnly(x.getHttpProtocolOptions(), a.field("http_protocol_options"), Set.of());
      }
      if (x.hasHttp2ProtocolOptions()) {
        h2 = x.getHttp2ProtocolOptions();
        h2At = a.field("http2_protocol_options");
      }
    } else if (!o.hasUseDownstreamProtocolConfig()) {
      at.error("one of explicit_http_config or auto_config is required");
    }
    int maxStreams = DEFAULT_MAX_CONCURRENT_STREAMS;
    if (h2 != null) {
      // allow_connect: CONNECT requests may use these connections (tcp_proxy tunneling_config does)
      Fields.allowOnly(h2, h2At, Set.of("max_concurrent_streams", "allow_connect"));
      if (h2.hasMaxConcurrentStreams()) {
        long v = Integer.toUnsignedLong(h2.getMaxConcurrentStreams().getValue());
        if (v < 1) {
          h2At.field("max_concurrent_streams").error("must be at least 1");
        }
        maxStreams = (int) Math.min(v, Integer.MAX_VALUE);
      }
    }
    if (at.errorCount() > before || version == null) {
      return null;
    }
    return new UpstreamHttpProtocol(version, idle, autoSni, autoSan, sniHeader, maxStreams);
  }
}
