package dev.egret.core.admin;

import com.google.protobuf.Message;
import com.google.protobuf.TypeRegistry;
import dev.egret.core.accesslog.RecentAccessLog;
import dev.egret.core.stats.Stats;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/** An {@link AdminContext} whose answers the test sets. */
final class FakeAdmin implements AdminContext {
  final Stats stats;
  final CountDownLatch quit = new CountDownLatch(1);
  volatile boolean ready;
  volatile Message dump = io.envoyproxy.envoy.admin.v3.ConfigDump.getDefaultInstance();
  volatile List<ClusterStatus> clusters = List.of();
  volatile Runnable onQuit = () -> { };
  volatile TypeRegistry typeRegistry = TypeRegistry.getEmptyTypeRegistry();
  volatile RecentAccessLog recent = RecentAccessLog.DISABLED;

  FakeAdmin(Stats stats) {
    this.stats = stats;
  }

  @Override
  public boolean isReady() {
    return ready;
  }

  @Override
  public Message configDump() {
    return dump;
  }

  @Override
  public Stats stats() {
    return stats;
  }

  @Override
  public List<ClusterStatus> clusters() {
    return clusters;
  }

  @Override
  public TypeRegistry typeRegistry() {
    return typeRegistry;
  }

  @Override
  public RecentAccessLog recentAccessLog() {
    return recent;
  }

  @Override
  public void quit() {
    onQuit.run();
    quit.countDown();
  }
}
