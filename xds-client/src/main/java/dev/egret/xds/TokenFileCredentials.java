package dev.egret.xds;

import static java.util.Objects.requireNonNull;

import dev.egret.core.config.XdsSettings;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Envoy's {@code file_based_metadata} call credentials as a gRPC interceptor: each call to the
 * control plane carries {@code <header>: <prefix><token>}, with the token read from its file when the
 * file has changed since the last call (a projected service-account token is rewritten in place by
 * the kubelet). A token that cannot be read is left out, and the call goes ahead: the control plane
 * answers UNAUTHENTICATED, which the client's back-off handles, and the next call reads again.
 */
final class TokenFileCredentials implements ClientInterceptor {
  private static final Logger LOG = Logger.getLogger(TokenFileCredentials.class.getName());

  private final Path file;
  private final Metadata.Key<String> header;
  private final String prefix;
  private FileTime readAt; // guarded by this
  private String token; // guarded by this; null until read

  TokenFileCredentials(XdsSettings.CallToken t) {
    requireNonNull(t, "t");
    this.file = Path.of(t.file());
    this.header = Metadata.Key.of(t.header(), Metadata.ASCII_STRING_MARSHALLER);
    this.prefix = t.prefix();
  }

  /** The header value for a call now, or null when the file cannot be read. */
  synchronized String value() {
    try {
      FileTime modified = Files.getLastModifiedTime(file);
      if (token == null || !modified.equals(readAt)) {
        token = Files.readString(file, StandardCharsets.UTF_8).trim();
        readAt = modified;
      }
      return prefix + token;
    } catch (IOException e) {
      LOG.log(Level.WARNING, "cannot read the control-plane token file " + file + ": " + e.getMessage());
      return null;
    }
  }

  @Override
  public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
    return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
      @Override
      public void start(Listener<R> listener, Metadata headers) {
        String v = value();
        if (v != null) {
          headers.put(header, v);
        }
        super.start(listener, headers);
      }
    };
  }
}
