package dev.egret.core.listener;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.SslClientHelloHandler;
import io.netty.util.concurrent.Future;
import java.util.function.BiConsumer;

/**
 * Envoy's {@code tls_inspector}: looks at the first bytes of a connection, and if they are a TLS
 * ClientHello reads the SNI and ALPN from it, without consuming anything. Then it hands the facts to
 * the listener (which installs the matching filter chain) and removes itself; the buffered bytes flow
 * on to the chain's TLS handler. Non-TLS bytes give transport {@code raw_buffer} and no facts.
 * The ClientHello is bounded at 64 KiB (hardening.md §9.3).
 */
final class ClientHelloSniffer extends SslClientHelloHandler<ClientHelloFacts> {
  private static final int MAX_CLIENT_HELLO = 64 * 1024;
  private final BiConsumer<ChannelHandlerContext, Facts> onFacts;

  /** The sniffed facts plus whether the connection is TLS at all. */
  record Facts(boolean tls, ClientHelloFacts hello) {}

  ClientHelloSniffer(BiConsumer<ChannelHandlerContext, Facts> onFacts) {
    super(MAX_CLIENT_HELLO);
    this.onFacts = onFacts;
  }

  @Override
  protected Future<ClientHelloFacts> lookup(ChannelHandlerContext ctx, ByteBuf clientHello) {
    ClientHelloFacts facts = clientHello == null ? null : ClientHelloFacts.parse(clientHello);
    return ctx.executor().newSucceededFuture(facts);
  }

  @Override
  protected void onLookupComplete(ChannelHandlerContext ctx, Future<ClientHelloFacts> future) {
    ClientHelloFacts facts = future.getNow();
    onFacts.accept(ctx, facts == null ? new Facts(false, ClientHelloFacts.NONE) : new Facts(true, facts));
  }
}
