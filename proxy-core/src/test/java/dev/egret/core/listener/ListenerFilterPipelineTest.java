package dev.egret.core.listener;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import dev.egret.core.config.ConfigPath;
import dev.egret.core.stats.Stats;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.listener.v3.ListenerFilter;
import io.envoyproxy.envoy.extensions.filters.listener.http_inspector.v3.HttpInspector;
import io.envoyproxy.envoy.extensions.filters.listener.proxy_protocol.v3.ProxyProtocol;
import io.envoyproxy.envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ListenerFilterPipelineTest {
  private final Stats stats = new Stats();
  private final AtomicReference<ConnectionFacts> done = new AtomicReference<>();

  private static ListenerFilter filter(String name, com.google.protobuf.Message config) {
    return ListenerFilter.newBuilder().setName(name).setTypedConfig(Any.pack(config)).build();
  }

  private static ProxyProtocol sandwich(boolean allowWithout) {
    return ProxyProtocol.newBuilder().setAllowRequestsWithoutProxyProtocol(allowWithout)
        .addRules(ProxyProtocol.Rule.newBuilder().setTlvType(0xD0)
            .setOnTlvPresent(ProxyProtocol.KeyValuePair.newBuilder().setKey("peer_principal")))
        .build();
  }

  private ListenerFilters compile(ListenerFilter... filters) {
    ConfigPath at = ConfigPath.root("listener");
    ListenerFilters lf = ListenerFilterCompiler.compile(Listener.newBuilder().addAllListenerFilters(
        java.util.List.of(filters)).build(), at, stats);
    assertThat(at.errorCount()).isZero();
    return lf;
  }

  /** An embedded connection whose chain, once chosen, is a handler that keeps what it reads. */
  private EmbeddedChannel start(ListenerFilters lf) {
    EmbeddedChannel ch = new EmbeddedChannel();
    ch.config().setAutoRead(false);
    ConnectionFacts facts = ConnectionFacts.accepted(new InetSocketAddress("127.0.0.1", 15088),
        new InetSocketAddress("127.0.0.2", 5555));
    ListenerFilterHandler.start(ch, lf, facts, (c, f) -> done.set(f), null);
    return ch;
  }

  private static String text(EmbeddedChannel ch) {
    StringBuilder sb = new StringBuilder();
    for (Object o; (o = ch.readInbound()) != null; ) {
      ByteBuf b = (ByteBuf) o;
      sb.append(b.toString(StandardCharsets.ISO_8859_1));
      b.release();
    }
    return sb.toString();
  }

  private long counter(String name) {
    return stats.serverCounter(name).value();
  }

  @Test
  void proxyV2HeaderSetsAddressesAndTlvMetadataAndIsConsumed() {
    EmbeddedChannel ch = start(compile(filter("envoy.filters.listener.proxy_protocol", sandwich(false))));
    ByteBuf header = ProxyProtocolParserTest.v2Inet("10.1.2.3", 40000, "10.96.0.10", 8080,
        0xD0, "spiffe://cluster.local/ns/a/sa/b", 0xE0, "ignored");
    // In two pieces: the filter waits for the whole header.
    ch.writeInbound(header.readRetainedSlice(10));
    assertThat(done.get()).isNull();
    ch.writeInbound(Unpooled.wrappedBuffer(header, Unpooled.copiedBuffer("GET / HTTP/1.1\r\n", StandardCharsets.US_ASCII)));
    ConnectionFacts f = done.get();
    assertThat(f).isNotNull();
    assertThat(f.remote()).isEqualTo(new InetSocketAddress("10.1.2.3", 40000));
    assertThat(f.local()).isEqualTo(new InetSocketAddress("10.96.0.10", 8080));
    assertThat(f.directRemote()).isEqualTo(new InetSocketAddress("127.0.0.2", 5555));
    assertThat(f.dynamicMetadata().get(ProxyProtocolStage.DEFAULT_NAMESPACE).getFieldsOrThrow("peer_principal")
        .getStringValue()).isEqualTo("spiffe://cluster.local/ns/a/sa/b");
    assertThat(f.dynamicMetadata().get(ProxyProtocolStage.DEFAULT_NAMESPACE).getFieldsCount()).isEqualTo(1);
    assertThat(text(ch)).isEqualTo("GET / HTTP/1.1\r\n");
    assertThat(ch.pipeline().get(ListenerFilterHandler.class)).isNull();
    assertThat(counter("proxy_proto.versions.v2.found")).isEqualTo(1);
  }

  @Test
  void malformedHeaderClosesAndCounts() {
    EmbeddedChannel ch = start(compile(filter("envoy.filters.listener.proxy_protocol", sandwich(false))));
    ByteBuf header = ProxyProtocolParserTest.v2Inet("10.1.2.3", 1, "10.96.0.10", 2);
    header.setByte(12, 0x25); // command 5
    ch.writeInbound(header);
    assertThat(ch.isOpen()).isFalse();
    assertThat(done.get()).isNull();
    assertThat(counter("proxy_proto.versions.v2.error")).isEqualTo(1);
  }

  @Test
  void missingHeaderClosesUnlessAllowed() {
    EmbeddedChannel strict = start(compile(filter("envoy.filters.listener.proxy_protocol", sandwich(false))));
    strict.writeInbound(Unpooled.copiedBuffer("GET / HTTP/1.1\r\n", StandardCharsets.US_ASCII));
    assertThat(strict.isOpen()).isFalse();
    assertThat(counter("proxy_proto.not_found_disallowed")).isEqualTo(1);

    EmbeddedChannel lenient = start(compile(filter("envoy.filters.listener.proxy_protocol", sandwich(true))));
    lenient.writeInbound(Unpooled.copiedBuffer("GET / HTTP/1.1\r\n", StandardCharsets.US_ASCII));
    assertThat(lenient.isOpen()).isTrue();
    assertThat(done.get().remote()).isEqualTo(new InetSocketAddress("127.0.0.2", 5555));
    assertThat(text(lenient)).isEqualTo("GET / HTTP/1.1\r\n");
    assertThat(counter("proxy_proto.not_found_allowed")).isEqualTo(1);
  }

  @Test
  void localCommandKeepsTheSocketAddresses() {
    EmbeddedChannel ch = start(compile(filter("envoy.filters.listener.proxy_protocol", sandwich(false))));
    ByteBuf local = Unpooled.buffer().writeBytes(ProxyProtocolParserTest.SIG).writeByte(0x20).writeByte(0).writeShort(0);
    ch.writeInbound(local);
    assertThat(done.get().remote()).isEqualTo(new InetSocketAddress("127.0.0.2", 5555));
    assertThat(done.get().local()).isEqualTo(new InetSocketAddress("127.0.0.1", 15088));
  }

  @Test
  void httpInspectorAfterProxyProtocolSeesTheInnerBytes() {
    EmbeddedChannel ch = start(compile(filter("envoy.filters.listener.proxy_protocol", sandwich(false)),
        filter("envoy.filters.listener.http_inspector", HttpInspector.getDefaultInstance())));
    ch.writeInbound(Unpooled.wrappedBuffer(ProxyProtocolParserTest.v2Inet("10.0.0.1", 1, "10.0.0.2", 2),
        Unpooled.copiedBuffer("PRI * HTTP/2.0\r\n", StandardCharsets.US_ASCII)));
    assertThat(done.get()).isNull(); // could still be the HTTP/2 preface
    ch.writeInbound(Unpooled.copiedBuffer("\r\nSM\r\n\r\n", StandardCharsets.US_ASCII));
    assertThat(done.get().applicationProtocols()).containsExactly("h2c");
    assertThat(text(ch)).isEqualTo("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
  }

  @Test
  void httpInspectorDetectsHttp1VersionsAndIgnoresOtherBytes() {
    ListenerFilters lf = compile(filter("envoy.filters.listener.http_inspector", HttpInspector.getDefaultInstance()));
    EmbeddedChannel h11 = start(lf);
    h11.writeInbound(Unpooled.copiedBuffer("GET /x HTTP/1.", StandardCharsets.US_ASCII));
    assertThat(done.get()).isNull();
    h11.writeInbound(Unpooled.copiedBuffer("1\r\nHost: a\r\n\r\n", StandardCharsets.US_ASCII));
    assertThat(done.get().applicationProtocols()).containsExactly("http/1.1");

    EmbeddedChannel h10 = start(lf);
    h10.writeInbound(Unpooled.copiedBuffer("POST / HTTP/1.0\r\n", StandardCharsets.US_ASCII));
    assertThat(done.get().applicationProtocols()).containsExactly("http/1.0");

    EmbeddedChannel binary = start(lf);
    binary.writeInbound(Unpooled.wrappedBuffer(new byte[] {0x16, 0x03, 0x01, 0x00, 0x05}));
    assertThat(done.get().applicationProtocols()).isEmpty();
    assertThat(done.get().transportProtocol()).isEqualTo("raw_buffer");
  }

  @Test
  void tlsInspectorReadsSniFromAClientHelloSplitAcrossWrites() throws Exception {
    EmbeddedChannel ch = start(compile(filter("envoy.filters.listener.tls_inspector", TlsInspector.getDefaultInstance())));
    ByteBuf hello = TlsHellos.clientHelloRecord("api.example.com", "h2");
    int n = hello.readableBytes();
    ch.writeInbound(hello.readRetainedSlice(7));
    assertThat(done.get()).isNull();
    ch.writeInbound(hello);
    assertThat(done.get().transportProtocol()).isEqualTo("tls");
    assertThat(done.get().serverName()).isEqualTo("api.example.com");
    assertThat(done.get().applicationProtocols()).containsExactly("h2");
    assertThat(text(ch)).hasSize(n); // nothing consumed
  }

  @Test
  void filterDisabledOnPortSkipsTheFilter() {
    ListenerFilter f = filter("envoy.filters.listener.proxy_protocol", sandwich(false)).toBuilder()
        .setFilterDisabled(io.envoyproxy.envoy.config.listener.v3.ListenerFilterChainMatchPredicate.newBuilder()
            .setDestinationPortRange(io.envoyproxy.envoy.type.v3.Int32Range.newBuilder().setStart(15088).setEnd(15089)))
        .build();
    EmbeddedChannel ch = start(compile(f));
    assertThat(done.get()).isNotNull(); // nothing to wait for: decided at accept
    assertThat(ch.pipeline().get(ListenerFilterHandler.class)).isNull();
  }

  @Test
  void timeoutClosesTheConnectionAndCounts() throws Exception {
    ConfigPath at = ConfigPath.root("listener");
    ListenerFilters lf = ListenerFilterCompiler.compile(Listener.newBuilder()
        .addListenerFilters(filter("envoy.filters.listener.proxy_protocol", sandwich(false)))
        .setListenerFiltersTimeout(com.google.protobuf.Duration.newBuilder().setNanos(1_000_000)).build(), at, stats);
    EmbeddedChannel ch = new EmbeddedChannel();
    int[] timeouts = {0};
    ListenerFilterHandler.start(ch, lf, ConnectionFacts.accepted(null, null), (c, f) -> done.set(f), () -> timeouts[0]++);
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (ch.isOpen() && System.nanoTime() < deadline) {
      ch.runPendingTasks();
      ch.runScheduledPendingTasks();
      Thread.onSpinWait();
    }
    assertThat(ch.isOpen()).isFalse();
    assertThat(timeouts[0]).isEqualTo(1);
    assertThat(done.get()).isNull();
  }

  @Test
  void unsupportedListenerFiltersAndPassThroughTlvsAreRejectedWithTheirPath() {
    ConfigPath at = ConfigPath.root("listener");
    ListenerFilterCompiler.compile(Listener.newBuilder()
        .addListenerFilters(ListenerFilter.newBuilder().setName("x").setTypedConfig(Any.newBuilder()
            .setTypeUrl("type.googleapis.com/envoy.extensions.filters.listener.original_src.v3.OriginalSrc")))
        .addListenerFilters(filter("pp", ProxyProtocol.newBuilder().setPassThroughTlvs(
            io.envoyproxy.envoy.config.core.v3.ProxyProtocolPassThroughTLVs.getDefaultInstance()).build()))
        .build(), at, stats);
    assertThat(at.errorCount()).isEqualTo(2);
    assertThat(at.errors().toString()).contains("original_src").contains("pass_through_tlvs");
  }

  @Test
  void originalDstRestoresAddressesFromFilterStateOnAnInternalConnection() {
    ListenerFilters lf = compile(filter("envoy.filters.listener.original_dst",
        io.envoyproxy.envoy.extensions.filters.listener.original_dst.v3.OriginalDst.getDefaultInstance()));
    dev.egret.core.stream.FilterState shared = dev.egret.core.stream.FilterState.forConnection();
    shared.setString(OriginalDstStage.LOCAL_KEY, "[2001:db8::10]:8080");
    shared.setString(OriginalDstStage.REMOTE_KEY, "10.244.1.7:51000");
    ConnectionFacts internal = new ConnectionFacts(null, null, shared, dev.egret.core.stream.DynamicMetadata.forConnection());
    ListenerFilterHandler.start(new EmbeddedChannel(), lf, internal, (c, f) -> done.set(f), null);
    assertThat(done.get().local()).isEqualTo(new InetSocketAddress("2001:db8::10", 8080));
    assertThat(done.get().remote()).isEqualTo(new InetSocketAddress("10.244.1.7", 51000));

    dev.egret.core.stream.FilterState hostname = dev.egret.core.stream.FilterState.forConnection();
    hostname.setString(OriginalDstStage.LOCAL_KEY, "reviews.default.svc.cluster.local:9080");
    ConnectionFacts socket = new ConnectionFacts(new InetSocketAddress("127.0.0.1", 15001),
        new InetSocketAddress("127.0.0.2", 1), hostname, dev.egret.core.stream.DynamicMetadata.forConnection());
    ListenerFilterHandler.start(new EmbeddedChannel(), lf, socket, (c, f) -> done.set(f), null);
    assertThat(done.get().local()).as("not IP:PORT: the local address stays")
        .isEqualTo(new InetSocketAddress("127.0.0.1", 15001));
  }
}
