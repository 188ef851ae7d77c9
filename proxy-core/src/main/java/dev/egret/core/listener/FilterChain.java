package dev.egret.core.listener;

import static java.util.Objects.requireNonNull;

import dev.egret.core.http.HcmConfig;
import dev.egret.core.network.NetworkFilterFactory;
import dev.egret.core.network.TerminalFilter;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslHandler;
import java.util.List;
import java.util.function.Function;

/**
 * One compiled filter chain of a listener: its network filters, in order, then the terminal filter
 * that owns the connection's bytes.
 *
 * @param name           the chain's name (may be empty)
 * @param match          when it applies
 * @param tls            makes the server TLS handler for a new connection, or null for plaintext
 * @param hcm            the HTTP connection manager that ends the chain, or null when another
 *                       terminal filter ({@code tcp_proxy}) does
 * @param networkFilters the non-terminal network filters, in order
 * @param terminal       the filter that ends the chain
 */
public record FilterChain(String name, ChainMatch match, Function<ByteBufAllocator, SslHandler> tls, HcmConfig hcm,
    List<NetworkFilterFactory> networkFilters, TerminalFilter terminal) {
  public FilterChain {
    requireNonNull(name, "name");
    requireNonNull(match, "match");
    networkFilters = List.copyOf(networkFilters);
    requireNonNull(terminal, "terminal");
  }

  /** A chain that is only an HTTP connection manager. */
  public FilterChain(String name, ChainMatch match, Function<ByteBufAllocator, SslHandler> tls, HcmConfig hcm) {
    this(name, match, tls, requireNonNull(hcm, "hcm"), List.of(), new HcmTerminal(hcm));
  }
}
