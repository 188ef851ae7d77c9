package dev.egret.hbone;

import static org.assertj.core.api.Assertions.assertThat;

import dev.egret.core.Transports;
import dev.egret.core.testing.TestPki;
import dev.egret.hbone.testing.PipeProbe;
import dev.egret.hbone.testing.TestZtunnel;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link HboneConnector} against a test destination ztunnel with SPIFFE certificates. */
class HboneClientTest {
  static final String EGRET = "spiffe://cluster.local/ns/istio-system/sa/waypoint";
  static final String POD = "spiffe://cluster.local/ns/default/sa/httpbin";

  static TestPki.Ca ca;
  static TestPki.Issued egretCert;
  static TestZtunnel ztunnel;
  static TestZtunnel foreignZtunnel;
  static EventLoopGroup group;
  static EventLoop loop;

  @BeforeAll
  static void start() throws Exception {
    ca = TestPki.newCa("cluster.local root");
    egretCert = ca.issue("waypoint", List.of(), List.of(EGRET), List.of());
    ztunnel = new TestZtunnel(server(ca.issue("ztunnel", List.of(), List.of(POD), List.of())));
    foreignZtunnel = new TestZtunnel(server(ca.issue("ztunnel", List.of(), List.of(
        "spiffe://other.domain/ns/default/sa/httpbin"), List.of())));
    group = Transports.newGroup(1, Executors.defaultThreadFactory());
    loop = group.next();
  }

  @AfterAll
  static void stop() {
    ztunnel.close();
    foreignZtunnel.close();
    group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
  }

  static SslContext server(TestPki.Issued cert) throws Exception {
    return SslContextBuilder.forServer(cert.key(), cert.cert())
        .trustManager(ca.cert())
        .clientAuth(ClientAuth.REQUIRE)
        .protocols("TLSv1.3")
        .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, "h2"))
        .build();
  }

  static HboneConnector connector(HboneClientSettings settings) {
    return new HboneConnector(HboneTls.client(egretCert.certPem(),
        egretCert.keyPem(), ca.certPem(), List.of("cluster.local")), settings);
  }

  @Test
  void tunnelCarriesBytesBothWaysWithTheDestinationAsAuthority() throws Exception {
    try (HboneConnector hbone = connector(HboneClientSettings.DEFAULT)) {
      PipeProbe p = PipeProbe.open(hbone.opener(ztunnel.address(), "127.0.0.1:8080",
          new DefaultHttp2Headers().add("baggage", "k8s.namespace.name=istio-system")), loop);
      assertThat(p.next()).isEqualTo("open");
      assertThat(ztunnel.nextConnect()).isEqualTo("127.0.0.1:8080 " + EGRET);
      p.send("hello through hbone");
      assertThat(p.readData(19)).isEqualTo("hello through hbone");
      String big = "y".repeat(300_000);
      p.send(big);
      assertThat(p.readData(300_000)).isEqualTo(big);
      p.halfClose(); // END_STREAM; the test ztunnel answers with END_STREAM
      assertThat(p.next()).isEqualTo("end");
      assertThat(p.next()).isEqualTo("closed:true");
    }
  }

  @Test
  void connectAnswered503IsAConnectFailure() throws Exception {
    try (HboneConnector hbone = connector(HboneClientSettings.DEFAULT)) {
      PipeProbe p = PipeProbe.open(hbone.opener(ztunnel.address(), "127.0.0.1:" + TestZtunnel.REFUSE_PORT, null), loop);
      assertThat(p.next()).isEqualTo("failed:remote connection failure|HBONE CONNECT answered 503");
    }
  }

  @Test
  void authorityIpOtherThanTheDestinationIsRefusedWith400() throws Exception {
    try (HboneConnector hbone = connector(HboneClientSettings.DEFAULT)) {
      PipeProbe p = PipeProbe.open(hbone.opener(ztunnel.address(), "10.1.2.3:8080", null), loop);
      assertThat(p.next()).isEqualTo("failed:remote connection failure|HBONE CONNECT answered 400");
    }
  }

  @Test
  void peerFromAnotherTrustDomainFailsTheHandshake() throws Exception {
    try (HboneConnector hbone = connector(HboneClientSettings.DEFAULT)) {
      PipeProbe p = PipeProbe.open(hbone.opener(foreignZtunnel.address(), "127.0.0.1:8080", null), loop);
      assertThat(p.next()).startsWith("failed:remote connection failure|TLS_error:")
          .contains("verify cert failed: SAN matcher");
    }
  }

  @Test
  void refusedTcpConnectIsAConnectFailure() throws Exception {
    try (HboneConnector hbone = connector(HboneClientSettings.DEFAULT);
        dev.egret.core.testing.RefusedPort refused = new dev.egret.core.testing.RefusedPort()) {
      PipeProbe p = PipeProbe.open(hbone.opener(new InetSocketAddress("127.0.0.1", refused.port()),
          "127.0.0.1:8080", null), loop);
      assertThat(p.next()).isEqualTo("failed:remote connection failure|delayed connect error: Connection refused");
    }
  }

  @Test
  void oneHundredAndOneTunnelsUseTwoConnections() throws Exception {
    int before = ztunnel.connections();
    try (HboneConnector hbone = connector(HboneClientSettings.DEFAULT)) {
      List<PipeProbe> probes = new ArrayList<>();
      for (int i = 0; i < 101; i++) {
        probes.add(PipeProbe.open(hbone.opener(ztunnel.address(), "127.0.0.1:" + (9000 + i), null), loop));
      }
      for (PipeProbe p : probes) {
        assertThat(p.next()).isEqualTo("open");
      }
      assertThat(hbone.connectionsOpened()).isEqualTo(2); // 100 per connection, though the peer allows 200
      assertThat(ztunnel.connections() - before).isEqualTo(2);
      for (int i = 0; i < probes.size(); i++) {
        probes.get(i).send("t" + i);
        assertThat(probes.get(i).readData(("t" + i).length())).isEqualTo("t" + i);
      }
    }
  }

  @Test
  void idleConnectionIsReleasedAndANewOneOpenedOnDemand() throws Exception {
    try (HboneConnector hbone = connector(HboneClientSettings.DEFAULT.withIdleTimeoutMillis(50))) {
      PipeProbe p = PipeProbe.open(hbone.opener(ztunnel.address(), "127.0.0.1:8080", null), loop);
      assertThat(p.next()).isEqualTo("open");
      p.halfClose();
      assertThat(p.next()).isEqualTo("end");
      long deadline = System.nanoTime() + 5_000_000_000L;
      while (hbone.connectionsActive() > 0) {
        assertThat(System.nanoTime()).as("idle connection closed").isLessThan(deadline);
        Thread.sleep(5);
      }
      PipeProbe again = PipeProbe.open(hbone.opener(ztunnel.address(), "127.0.0.1:8080", null), loop);
      assertThat(again.next()).isEqualTo("open");
      assertThat(hbone.connectionsOpened()).isEqualTo(2);
    }
  }
}
