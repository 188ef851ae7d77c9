package dev.egret.core.upstream;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.dns.DatagramDnsQuery;
import io.netty.handler.codec.dns.DatagramDnsQueryDecoder;
import io.netty.handler.codec.dns.DatagramDnsResponse;
import io.netty.handler.codec.dns.DatagramDnsResponseEncoder;
import io.netty.handler.codec.dns.DefaultDnsQuestion;
import io.netty.handler.codec.dns.DefaultDnsRawRecord;
import io.netty.handler.codec.dns.DnsQuestion;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.time.Duration;

/**
 * A tiny authoritative DNS server on 127.0.0.1 for tests: answers A/AAAA questions from a table the
 * test changes while it runs, and counts the questions per name.
 */
public final class TestDnsServer implements AutoCloseable {
  /** What to answer for one name. */
  record Answer(DnsResponseCode code, long ttl, List<String> ips) {}

  private final Map<String, Answer> answers = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> questions = new ConcurrentHashMap<>();
  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Channel channel;
  private final Object asked = new Object();

  public TestDnsServer() throws InterruptedException {
    channel = new Bootstrap().group(group).channel(NioDatagramChannel.class)
        .handler(new ChannelInitializer<DatagramChannel>() {
          @Override
          protected void initChannel(DatagramChannel ch) {
            ch.pipeline().addLast(new DatagramDnsQueryDecoder(), new DatagramDnsResponseEncoder(), new Responder());
          }
        })
        .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
  }

  public InetSocketAddress address() {
    return (InetSocketAddress) channel.localAddress();
  }

  /** Answers {@code name} with these IPs (v4 ones to A, v6 ones to AAAA); none is NOERROR, empty. */
  public void answer(String name, long ttl, String... ips) {
    answers.put(key(name), new Answer(DnsResponseCode.NOERROR, ttl, List.of(ips)));
  }

  public void respond(String name, DnsResponseCode code) {
    answers.put(key(name), new Answer(code, 0, List.of()));
  }

  /** A and AAAA questions about {@code name} so far (Netty's last-resort CNAME questions are not counted). */
  public int questions(String name) {
    AtomicInteger n = questions.get(key(name));
    return n == null ? 0 : n.get();
  }

  /** Waits until {@link #questions} reaches {@code count}; false at the deadline. */
  public boolean awaitQuestions(String name, int count, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (asked) {
      while (questions(name) < count) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(asked, left);
      }
      return true;
    }
  }

  private static String key(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
    group.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private final class Responder extends SimpleChannelInboundHandler<DatagramDnsQuery> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramDnsQuery query) {
      DnsQuestion q = query.recordAt(DnsSection.QUESTION);
      String name = key(q.name());
      if (q.type().equals(DnsRecordType.A) || q.type().equals(DnsRecordType.AAAA)) {
        synchronized (asked) {
          questions.computeIfAbsent(name, k -> new AtomicInteger()).incrementAndGet();
          asked.notifyAll();
        }
      }
      Answer a = answers.getOrDefault(name, new Answer(DnsResponseCode.NXDOMAIN, 0, List.of()));
      DatagramDnsResponse r = new DatagramDnsResponse(query.recipient(), query.sender(), query.id());
      r.setRecursionDesired(query.isRecursionDesired()).setRecursionAvailable(true).setCode(a.code());
      r.addRecord(DnsSection.QUESTION, new DefaultDnsQuestion(q.name(), q.type()));
      for (String ip : a.ips()) {
        InetAddress addr = NetUtil.createInetAddressFromIpAddressString(ip);
        DnsRecordType type = addr.getAddress().length == 4 ? DnsRecordType.A : DnsRecordType.AAAA;
        if (type.equals(q.type())) {
          r.addRecord(DnsSection.ANSWER,
              new DefaultDnsRawRecord(q.name(), type, a.ttl(), Unpooled.wrappedBuffer(addr.getAddress())));
        }
      }
      ctx.writeAndFlush(r);
    }
  }
}
