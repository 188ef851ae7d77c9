package dev.egret.core.upstream;

import io.netty.channel.ChannelFuture;
import io.netty.handler.codec.dns.DnsQuestion;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.resolver.dns.DnsQueryLifecycleObserver;
import io.netty.resolver.dns.DnsQueryLifecycleObserverFactory;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Notices when a name server answered that a name has no records of the asked type (NOERROR with an
 * empty answer) or does not exist (NXDOMAIN). Netty fails such a lookup with the same exception as
 * one where every server refused or failed; its query observer, though, is told why each query
 * ended, and this keeps that verdict per question until the lookup's caller {@link #take}s it.
 *
 * <p>Netty states the reason only in the message of the exception it hands the observer ("No
 * matching record type found", "... NXDOMAIN ..."), so that is what is matched.
 */
final class NoAnswerTracker implements DnsQueryLifecycleObserverFactory {
  private final Map<String, Boolean> noData = new ConcurrentHashMap<>();

  /** Whether the latest lookup of {@code name}/{@code type} ended in "no such records"; forgets it. */
  boolean take(String name, DnsRecordType type) {
    return noData.remove(key(name, type)) != null;
  }

  static boolean saysNoData(Throwable cause) {
    String m = cause == null ? null : cause.getMessage();
    return m != null && (m.contains("No matching record type found") || m.contains("NXDOMAIN"));
  }

  private static String key(String name, DnsRecordType type) {
    String n = name.toLowerCase(Locale.ROOT);
    if (n.endsWith(".")) {
      n = n.substring(0, n.length() - 1);
    }
    return type.intValue() + " " + n;
  }

  @Override
  public DnsQueryLifecycleObserver newDnsQueryLifecycleObserver(DnsQuestion question) {
    return new Observer(key(question.name(), question.type()));
  }

  private final class Observer implements DnsQueryLifecycleObserver {
    private final String key;

    Observer(String key) {
      this.key = key;
    }

    @Override
    public void queryWritten(InetSocketAddress server, ChannelFuture future) {}

    @Override
    public void queryCancelled(int queriesRemaining) {}

    @Override
    public DnsQueryLifecycleObserver queryRedirected(List<InetSocketAddress> servers) {
      return this;
    }

    @Override
    public DnsQueryLifecycleObserver queryCNAMEd(DnsQuestion question) {
      return newDnsQueryLifecycleObserver(question);
    }

    @Override
    public DnsQueryLifecycleObserver queryNoAnswer(DnsResponseCode code) {
      return this;
    }

    @Override
    public void queryFailed(Throwable cause) {
      if (saysNoData(cause)) {
        noData.put(key, Boolean.TRUE);
      }
    }

    @Override
    public void querySucceed() {}
  }
}
