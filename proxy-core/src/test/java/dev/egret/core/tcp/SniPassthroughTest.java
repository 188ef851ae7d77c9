package dev.egret.core.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.egret.core.testing.EgretHarness;
import dev.egret.core.testing.TestPki;
import dev.egret.core.upstream.DnsResolverFactory;
import dev.egret.core.upstream.TestDnsServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * SNI-routed TLS passthrough: the application encrypts end to end; Egret's tls_inspector reads the
 * SNI from the ClientHello, the {@code server_names} chain match picks a tcp_proxy whose STRICT_DNS
 * cluster resolves that name, and the connection is logged with its SNI. Also TLS terminated in front
 * of tcp_proxy, logging the client's SPIFFE id.
 */
class SniPassthroughTest {
  static final char[] PASS = "changeit".toCharArray();
  static final String FORMAT = "%REQUESTED_SERVER_NAME% %UPSTREAM_CLUSTER% %UPSTREAM_HOST% "
      + "rx=%BYTES_RECEIVED% tx=%BYTES_SENT% %RESPONSE_FLAGS% peer=%DOWNSTREAM_PEER_URI_SAN%";

  static TestPki.Ca ca;
  static TestDnsServer dns;
  static SocketUpstream alpha;
  static SocketUpstream beta;
  static SocketUpstream plainEcho;
  static EgretHarness egret;
  static Path dir;

  static String log(String tag) {
    return "[{ name: f, typed_config: { \"@type\": "
        + "\"type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog\", path: \"${ACCESS_LOG}\", "
        + "log_format: { text_format_source: { inline_string: \"" + tag + " " + FORMAT + "\\n\" } } } }]";
  }

  static String passthroughChain(String name, String cluster) {
    return "    - filter_chain_match: { server_names: [\"" + name + "\"] }\n"
        + "      filters:\n"
        + "      - name: envoy.filters.network.tcp_proxy\n"
        + "        typed_config: { \"@type\": \"type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy\", "
        + "stat_prefix: passthrough, cluster: " + cluster + ", access_log: " + log("passthrough") + " }\n";
  }

  static String dnsCluster(String name, String host, int port) {
    return "  - name: " + name + "\n"
        + "    type: STRICT_DNS\n"
        + "    connect_timeout: 1s\n"
        + "    dns_refresh_rate: 0.05s\n"
        + "    dns_lookup_family: V4_ONLY\n"
        + "    load_assignment: { cluster_name: " + name + ", endpoints: [{ lb_endpoints: [{ endpoint: { address: "
        + "{ socket_address: { address: " + host + ", port_value: " + port + " } } } }] }] }\n";
  }

  static String plainListener(String name, String cluster) {
    return "  - name: " + name + "\n"
        + "    address: { socket_address: { address: 127.0.0.1, port_value: 0 } }\n"
        + "    filter_chains:\n"
        + "    - filters:\n"
        + "      - name: envoy.filters.network.tcp_proxy\n"
        + "        typed_config: { \"@type\": \"type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy\", "
        + "stat_prefix: " + name + ", cluster: " + cluster + ", access_log: " + log(name + " %UPSTREAM_TRANSPORT_FAILURE_REASON%") + " }\n";
  }

  /** A STATIC cluster that originates TLS with {@code sni} and requires that DNS SAN. */
  static String tlsCluster(String name, int port, String sni, Path caFile) {
    return "  - name: " + name + "\n"
        + "    type: STATIC\n"
        + "    load_assignment: { cluster_name: " + name + ", endpoints: [{ lb_endpoints: [{ endpoint: { address: "
        + "{ socket_address: { address: 127.0.0.1, port_value: " + port + " } } } }] }] }\n"
        + "    transport_socket:\n"
        + "      name: envoy.transport_sockets.tls\n"
        + "      typed_config:\n"
        + "        \"@type\": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext\n"
        + "        sni: " + sni + "\n"
        + "        common_tls_context:\n"
        + "          validation_context:\n"
        + "            trusted_ca: { filename: \"" + caFile + "\" }\n"
        + "            match_typed_subject_alt_names: [{ san_type: DNS, matcher: { exact: " + sni + " } }]\n";
  }

  static String plainCall(String listener, String line) throws IOException {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), egret.port(listener))) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
      return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine();
    }
  }

  static SSLContext context(TestPki.Issued leaf) throws Exception {
    KeyManagerFactory kmf = null;
    if (leaf != null) {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry("leaf", leaf.key(), PASS, new X509Certificate[] {leaf.cert(), leaf.issuer()});
      kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, PASS);
    }
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", ca.cert());
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    return ctx;
  }

  /** A TLS server for {@code name} that answers each line with "{@code name}: line". */
  static SocketUpstream tlsServer(String name) throws Exception {
    SSLContext ctx = context(ca.issue(name, List.of(name), List.of(), List.of()));
    SSLServerSocket server = (SSLServerSocket) ctx.getServerSocketFactory()
        .createServerSocket(0, 50, InetAddress.getLoopbackAddress());
    return new SocketUpstream(server, s -> {
      BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
      String line = in.readLine();
      OutputStream out = s.getOutputStream();
      out.write((name + ": " + line + "\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
    });
  }

  @BeforeAll
  static void start() throws Exception {
    ca = TestPki.newCa("passthrough-test-ca");
    dir = Files.createTempDirectory("egret-sni");
    dns = new TestDnsServer();
    dns.answer("alpha.egret.test", 0, "127.0.0.1");
    dns.answer("beta.egret.test", 0, "127.0.0.1");
    alpha = tlsServer("alpha.egret.test");
    beta = tlsServer("beta.egret.test");
    plainEcho = SocketUpstream.echo();
    TestPki.PemFiles listenerCert = ca.issue("egret", List.of("egret.test"), List.of(), List.of()).writePem(dir);
    Path caFile = ca.writePem(dir);
    String yaml = "static_resources:\n  listeners:\n"
        + "  - name: passthrough\n"
        + "    address: { socket_address: { address: 127.0.0.1, port_value: 0 } }\n"
        + "    listener_filters:\n"
        + "    - name: envoy.filters.listener.tls_inspector\n"
        + "      typed_config: { \"@type\": type.googleapis.com/envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector }\n"
        + "    filter_chains:\n"
        + passthroughChain("alpha.egret.test", "alpha")
        + passthroughChain("beta.egret.test", "beta")
        + "  - name: terminate\n"
        + "    address: { socket_address: { address: 127.0.0.1, port_value: 0 } }\n"
        + "    filter_chains:\n"
        + "    - transport_socket:\n"
        + "        name: envoy.transport_sockets.tls\n"
        + "        typed_config:\n"
        + "          \"@type\": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext\n"
        + "          require_client_certificate: true\n"
        + "          common_tls_context:\n"
        + "            tls_certificates: [{ certificate_chain: { filename: \"" + listenerCert.certChain() + "\" }, "
        + "private_key: { filename: \"" + listenerCert.key() + "\" } }]\n"
        + "            validation_context: { trusted_ca: { filename: \"" + caFile + "\" } }\n"
        + "      filters:\n"
        + "      - name: envoy.filters.network.tcp_proxy\n"
        + "        typed_config: { \"@type\": \"type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy\", "
        + "stat_prefix: terminate, cluster: plain_echo, access_log: " + log("terminate") + " }\n"
        + plainListener("originate", "alpha_tls")
        + plainListener("wrongsan", "alpha_wrong_san")
        + "  clusters:\n"
        + tlsCluster("alpha_tls", alpha.port(), "alpha.egret.test", caFile)
        + tlsCluster("alpha_wrong_san", alpha.port(), "other.egret.test", caFile)
        + dnsCluster("alpha", "alpha.egret.test", alpha.port())
        + dnsCluster("beta", "beta.egret.test", beta.port())
        + "  - name: plain_echo\n"
        + "    type: STATIC\n"
        + "    load_assignment: { cluster_name: plain_echo, endpoints: [{ lb_endpoints: [{ endpoint: { address: "
        + "{ socket_address: { address: 127.0.0.1, port_value: " + plainEcho.port() + " } } } }] }] }\n";
    egret = new EgretHarness(yaml, Map.of(), DnsResolverFactory.nameServer(dns.address()));
  }

  @AfterAll
  static void stop() throws Exception {
    if (egret != null) {
      egret.close();
    }
    for (AutoCloseable c : new AutoCloseable[] {alpha, beta, plainEcho, dns}) {
      if (c != null) {
        c.close();
      }
    }
  }

  /** A TLS client that verifies the server's name against {@code sni}, through Egret. */
  static String call(String listener, String sni, TestPki.Issued clientCert, String line) throws Exception {
    SSLContext ctx = context(clientCert);
    try (Socket raw = new Socket()) {
      raw.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), egret.port(listener)), 5_000);
      raw.setSoTimeout(10_000);
      try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(raw, sni, raw.getPort(), true)) {
        SSLParameters p = s.getSSLParameters();
        p.setServerNames(List.of(new SNIHostName(sni)));
        p.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate must be the origin's, not Egret's
        s.setSSLParameters(p);
        s.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
        s.getOutputStream().flush();
        return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine();
      }
    }
  }

  /** DNS clusters start empty; the first connections may find no host (UH) until resolution lands. */
  static String callWhenResolved(String sni, String line) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (true) {
      try {
        return call("passthrough", sni, null, line);
      } catch (IOException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(50);
      }
    }
  }

  @Test
  void routesEachServerNameToItsOwnUpstreamAndLogsTheSni() throws Exception {
    assertThat(callWhenResolved("alpha.egret.test", "hi")).isEqualTo("alpha.egret.test: hi");
    assertThat(callWhenResolved("beta.egret.test", "yo")).isEqualTo("beta.egret.test: yo");
    assertThat(egret.awaitLogLineStartingWith("passthrough alpha.egret.test "))
        .matches("passthrough alpha\\.egret\\.test alpha 127\\.0\\.0\\.1:" + alpha.port()
            + " rx=[1-9]\\d* tx=[1-9]\\d* - peer=-");
    assertThat(egret.awaitLogLineStartingWith("passthrough beta.egret.test "))
        .startsWith("passthrough beta.egret.test beta 127.0.0.1:" + beta.port() + " ");
  }

  @Test
  void tcpProxyOriginatesTlsWithTheClustersTransportSocket() throws Exception {
    assertThat(plainCall("originate", "plain in")).isEqualTo("alpha.egret.test: plain in");
    assertThat(egret.awaitLogLineStartingWith("originate ")).startsWith("originate - - alpha_tls 127.0.0.1:"
        + alpha.port() + " rx=9 tx=");
  }

  @Test
  void upstreamCertificateThatFailsTheSanCheckIsAConnectFailure() throws Exception {
    assertThat(plainCall("wrongsan", "x")).isNull();
    assertThat(egret.awaitLogLineStartingWith("wrongsan "))
        .startsWith("wrongsan TLS_error:|268435581:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED:")
        .contains(":TLS_error_end - alpha_wrong_san ")
        .contains(" UF,URX peer=-");
  }

  @Test
  void unknownServerNameFindsNoChainAndIsClosed() {
    assertThatThrownBy(() -> call("passthrough", "gamma.egret.test", null, "x")).isInstanceOf(IOException.class);
  }

  @Test
  void terminatedTlsInFrontOfTcpProxyLogsThePeerSpiffeId() throws Exception {
    String spiffe = "spiffe://cluster.local/ns/default/sa/client";
    TestPki.Issued client = ca.issue("client", List.of(), List.of(spiffe), List.of());
    assertThat(call("terminate", "egret.test", client, "echo me")).isEqualTo("echo me");
    assertThat(egret.awaitLogLineStartingWith("terminate "))
        .isEqualTo("terminate egret.test plain_echo 127.0.0.1:" + plainEcho.port() + " rx=8 tx=8 - peer=" + spiffe);
  }

  @Test
  void terminatedTlsRefusesAClientWithoutCertificate() {
    assertThatThrownBy(() -> call("terminate", "egret.test", null, "x"))
        .isInstanceOfAny(SSLException.class, IOException.class);
  }
}
