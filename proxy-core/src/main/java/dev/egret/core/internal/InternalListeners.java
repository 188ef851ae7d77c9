package dev.egret.core.internal;

import static java.util.Objects.requireNonNull;

import dev.egret.core.pool.Connector;
import dev.egret.core.stream.DynamicMetadata;
import dev.egret.core.stream.FilterState;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.DefaultChannelPromise;
import io.netty.channel.EventLoop;
import java.net.ConnectException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The internal listeners of a running Egret, by name, and the way in: {@link #connector} makes the
 * {@link Connector} with which a cluster's pool (or a CONNECT / tcp_proxy upstream) reaches an
 * {@code envoy_internal_address} endpoint. The connection's two ends are {@link InternalChannel}s
 * on the caller's event loop; the listener's end carries the filter state and dynamic metadata the
 * caller passes (Envoy's {@code internal_upstream} transport socket).
 *
 * <p>Thread-safe: listeners register and leave from the control thread while loops connect.
 */
public final class InternalListeners {
  /** Attachment key: the {@link FilterState} the listener's connection starts with. */
  public static final Object FILTER_STATE = new Object();
  /** Attachment key: the {@link DynamicMetadata} the listener's connection starts with. */
  public static final Object METADATA = new Object();

  private final Map<String, Consumer<Channel>> listeners = new ConcurrentHashMap<>();

  /** Makes {@code name} reachable; {@code acceptor} installs the listener's handlers on a new connection. */
  public void register(String name, Consumer<Channel> acceptor) {
    requireNonNull(acceptor, "acceptor");
    if (listeners.putIfAbsent(requireNonNull(name, "name"), acceptor) != null) {
      throw new IllegalStateException("internal listener '" + name + "' is already registered");
    }
  }

  /** Removes {@code name} if it is still served by {@code acceptor}; open connections stay. */
  public void remove(String name, Consumer<Channel> acceptor) {
    listeners.remove(name, acceptor);
  }

  public boolean contains(String name) {
    return listeners.containsKey(name);
  }

  /**
   * A connector to {@code address}. The supplier-free form passes no state; use
   * {@link #connector(InternalAddress, FilterState, DynamicMetadata)} to hand some over.
   */
  public Connector connector(InternalAddress address) {
    return connector(address, null, null);
  }

  /**
   * A connector whose connections hand {@code filterState} and {@code metadata} (each nullable) to
   * the listener. A listener that does not exist fails the connect with a {@link ConnectException},
   * which the router reports as a connect failure ({@code UF}), as Envoy does.
   */
  public Connector connector(InternalAddress address, FilterState filterState, DynamicMetadata metadata) {
    requireNonNull(address, "address");
    return (loop, initializer, timeoutMillis) -> connect(address, loop, initializer, filterState, metadata);
  }

  private ChannelFuture connect(InternalAddress address, EventLoop loop, ChannelHandler initializer,
      FilterState filterState, DynamicMetadata metadata) {
    Consumer<Channel> acceptor = listeners.get(address.listenerName());
    Map<Object, Object> attachments = new HashMap<>();
    if (filterState != null) {
      attachments.put(FILTER_STATE, filterState);
    }
    if (metadata != null) {
      attachments.put(METADATA, metadata);
    }
    InternalChannel[] pair = InternalChannel.pair(new InternalAddress("internal_client_address", ""), address,
        attachments);
    InternalChannel client = pair[0];
    InternalChannel server = pair[1];
    client.config().setAutoRead(false);
    client.config().setWriteBufferWaterMark(Connector.WATER_MARK);
    if (acceptor == null) {
      return new DefaultChannelPromise(client, loop)
          .setFailure(new ConnectException("no internal listener named '" + address.listenerName() + "'"));
    }
    server.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, false);
    server.pipeline().addLast(new ChannelInitializer<Channel>() {
      @Override
      protected void initChannel(Channel ch) {
        acceptor.accept(ch);
      }
    });
    client.pipeline().addLast(initializer);
    loop.register(server);
    return loop.register(client);
  }
}
