package dev.egret.filters.rbac;

import static org.assertj.core.api.Assertions.assertThat;

import dev.egret.core.testing.EgretHarness;
import dev.egret.core.testing.TestPki;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.List;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Network RBAC on an mTLS listener: the client certificate's SPIFFE URI SAN is the
 * {@code authenticated} principal and Istio's {@code io.istio.peer_principal} filter state; a client
 * with another identity is closed after the handshake and nothing reaches the upstream.
 */
class NetworkRbacMtlsTest {
  static final String SLEEP = "spiffe://cluster.local/ns/default/sa/sleep";
  static final String OTHER = "spiffe://cluster.local/ns/default/sa/other";

  static Path dir;
  static TestPki.Ca ca;
  static NetworkRbacEndToEndTest.Echo echo;
  static EgretHarness egret;

  static String listener(String name, String principal) {
    return """
          - name: %s
            address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
            filter_chains:
            - transport_socket:
                name: envoy.transport_sockets.tls
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext
                  require_client_certificate: true
                  common_tls_context:
                    tls_certificates: [{ certificate_chain: { filename: "${CERT}" }, private_key: { filename: "${KEY}" } }]
                    validation_context: { trusted_ca: { filename: "${CA}" } }
              filters:
              - name: envoy.filters.network.rbac
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.filters.network.rbac.v3.RBAC
                  stat_prefix: %s.
                  rules: { policies: { "ns[default]-policy[sleep]": { permissions: [{ any: true }], principals: [%s] } } }
              - name: envoy.filters.network.tcp_proxy
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
                  stat_prefix: %s
                  cluster: echo
                  access_log: [{ name: f, typed_config: { "@type": "type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog", path: "${ACCESS_LOG}", log_format: { text_format_source: { inline_string: "%s %%CONNECTION_TERMINATION_DETAILS%% %%DOWNSTREAM_PEER_URI_SAN%%\\n" } } } }]
        """.formatted(name, name, principal, name, name);
  }

  @BeforeAll
  static void start() throws Exception {
    dir = Files.createTempDirectory("netrbac-mtls");
    ca = TestPki.newCa("mesh-ca");
    TestPki.PemFiles server = ca.issue("waypoint", List.of("localhost"),
        List.of("spiffe://cluster.local/ns/egress/sa/waypoint"), List.of("127.0.0.1")).writePem(dir);
    echo = new NetworkRbacEndToEndTest.Echo();
    String yaml = "static_resources:\n  listeners:\n"
        + listener("authn", "{ authenticated: { principal_name: { exact: \"" + SLEEP + "\" } } }")
        + listener("peer", "{ filter_state: { key: io.istio.peer_principal, string_match: { exact: \"" + SLEEP + "\" } } }")
        + """
          clusters:
          - name: echo
            connect_timeout: 1s
            type: STATIC
            load_assignment:
              cluster_name: echo
              endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${ECHO} } } } }] }]
        """;
    egret = new EgretHarness(yaml, Map.of("ECHO", echo.port(), "CERT", server.certChain(), "KEY", server.key(),
        "CA", ca.writePem(dir)));
  }

  @AfterAll
  static void stop() throws Exception {
    if (egret != null) {
      egret.close();
    }
    if (echo != null) {
      echo.close();
    }
  }

  static SSLContext client(String spiffeId) throws Exception {
    TestPki.Issued id = ca.issue("client", List.of(), List.of(spiffeId), List.of());
    KeyStore keys = KeyStore.getInstance("PKCS12");
    keys.load(null, null);
    keys.setKeyEntry("client", id.key(), new char[0], new Certificate[] {id.cert(), id.issuer()});
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, new char[0]);
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", ca.cert());
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    return ssl;
  }

  /** Connects as {@code spiffeId}, sends {@code msg} and returns the echo, or "" when closed instead. */
  static String exchange(String listener, String spiffeId, String msg) throws Exception {
    try (SSLSocket s = (SSLSocket) client(spiffeId).getSocketFactory()
        .createSocket(InetAddress.getLoopbackAddress(), egret.port(listener))) {
      s.setSoTimeout(10_000);
      byte[] bytes = msg.getBytes(StandardCharsets.US_ASCII);
      try {
        s.getOutputStream().write(bytes);
        s.getOutputStream().flush();
        return new String(s.getInputStream().readNBytes(bytes.length), StandardCharsets.US_ASCII);
      } catch (IOException e) {
        return ""; // closed or reset after the handshake
      }
    }
  }

  @Test
  void authenticatedPrincipalMatchesTheClientCertificatesUriSan() throws Exception {
    assertThat(exchange("authn", SLEEP, "ping")).isEqualTo("ping");
    assertThat(egret.awaitLogLineStartingWith("authn - ")).isEqualTo("authn - " + SLEEP);
  }

  @Test
  void otherIdentityIsClosedWithTheDenialDetails() throws Exception {
    assertThat(exchange("authn", OTHER, "ping")).isEmpty();
    assertThat(egret.awaitLogLineStartingWith("authn rbac"))
        .isEqualTo("authn rbac_access_denied_matched_policy[none] " + OTHER);
  }

  @Test
  void istioPeerPrincipalFilterStateFallsBackToTheUriSan() throws Exception {
    assertThat(exchange("peer", SLEEP, "pong")).isEqualTo("pong");
    assertThat(exchange("peer", OTHER, "pong")).isEmpty();
    assertThat(egret.awaitLogLineStartingWith("peer rbac"))
        .isEqualTo("peer rbac_access_denied_matched_policy[none] " + OTHER);
  }
}
