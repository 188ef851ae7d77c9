package dev.egret.core.pool;

import io.netty.channel.EventLoop;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Every event loop's connection pools, keyed by whatever identifies a pool (cluster, host, transport
 * options). Each loop's map is only ever touched from that loop, so it is a plain {@code HashMap}; the
 * outer map is looked up once per request.
 */
public final class PoolRegistry {
  private final Map<EventLoop, Map<Object, ConnectionPool>> byLoop = new ConcurrentHashMap<>();

  /** The pools of {@code loop}; call only on that loop. */
  public Map<Object, ConnectionPool> forLoop(EventLoop loop) {
    Map<Object, ConnectionPool> m = byLoop.get(loop);
    if (m == null) {
      m = byLoop.computeIfAbsent(loop, l -> new HashMap<>());
    }
    return m;
  }

  /**
   * Runs {@code task} on every loop that has pools, with that loop's pool map (which the task may
   * change). Returns at once; each task runs later on its loop.
   */
  public void onEachLoop(Consumer<Map<Object, ConnectionPool>> task) {
    byLoop.forEach((loop, pools) -> {
      if (!loop.isShuttingDown()) {
        loop.execute(() -> task.accept(pools));
      }
    });
  }

  /** Closes every pool, each on its own loop. */
  public void closeAll() {
    byLoop.forEach((loop, pools) -> {
      if (!loop.isShuttingDown()) {
        loop.execute(() -> {
          pools.values().forEach(ConnectionPool::close);
          pools.clear();
        });
      }
    });
  }
}
