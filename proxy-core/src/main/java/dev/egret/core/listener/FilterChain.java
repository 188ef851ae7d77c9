package dev.egret.core.listener;

import static java.util.Objects.requireNonNull;

import dev.egret.core.http.HcmConfig;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslHandler;
import java.util.function.Function;

/**
 * One compiled filter chain of a listener.
 *
 * @param name  the chain's name (may be empty)
 * @param match when it applies
 * @param tls   makes the server TLS handler for a new connection, or null for plaintext
 * @param hcm   the HTTP connection manager that ends the chain
 */
public record FilterChain(String name, ChainMatch match, Function<ByteBufAllocator, SslHandler> tls, HcmConfig hcm) {
  public FilterChain {
    requireNonNull(name, "name");
    requireNonNull(match, "match");
    requireNonNull(hcm, "hcm");
  }
}
