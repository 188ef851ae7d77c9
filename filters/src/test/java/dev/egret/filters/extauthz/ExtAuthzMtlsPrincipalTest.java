package dev.egret.filters.extauthz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.egret.core.demo.DemoUpstream;
import dev.egret.core.testing.EgretHarness;
import dev.egret.core.testing.TestPki;
import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Over a real mTLS listener, the CheckRequest names the client certificate's SPIFFE URI SAN as
 * {@code source.principal}, Egret's own as {@code destination.principal}, the scheme as https and,
 * with {@code include_tls_session}, the SNI.
 */
class ExtAuthzMtlsPrincipalTest {
  static final String CLIENT_ID = "spiffe://cluster.local/ns/default/sa/sleep";
  static final String WAYPOINT_ID = "spiffe://cluster.local/ns/egress/sa/waypoint";
  static final String CONFIG = """
      static_resources:
        listeners:
        - name: mtls
          address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
          filter_chains:
          - transport_socket:
              name: envoy.transport_sockets.tls
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext
                require_client_certificate: true
                common_tls_context:
                  tls_certificates:
                  - certificate_chain: { filename: "${CERT}" }
                    private_key: { filename: "${KEY}" }
                  validation_context:
                    trusted_ca: { filename: "${CA}" }
            filters:
            - name: envoy.filters.network.http_connection_manager
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                stat_prefix: mtls
                route_config:
                  virtual_hosts: [{ name: all, domains: ["*"], routes: [{ match: { prefix: "/" }, route: { cluster: upstream } }] }]
                http_filters:
                - name: envoy.filters.http.ext_authz
                  typed_config:
                    "@type": type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthz
                    grpc_service: { envoy_grpc: { cluster_name: authz }, timeout: 5s }
                    include_tls_session: true
                - name: envoy.filters.http.router
                  typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router }
        clusters:
        - name: upstream
          type: STATIC
          load_assignment:
            cluster_name: upstream
            endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${UP} } } } }] }]
        - name: authz
          type: STATIC
          load_assignment:
            cluster_name: authz
            endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${AUTHZ} } } } }] }]
      """;

  static Path dir;
  static TestPki.Ca ca;
  static DemoUpstream upstream;
  static TestAuthzServer authz;
  static EgretHarness egret;

  @BeforeAll
  static void start() throws Exception {
    dir = Files.createTempDirectory("extauthz-mtls");
    ca = TestPki.newCa("mesh-ca");
    TestPki.PemFiles server = ca.issue("waypoint", List.of("localhost"), List.of(WAYPOINT_ID), List.of("127.0.0.1"))
        .writePem(dir);
    upstream = DemoUpstream.http1("up");
    authz = new TestAuthzServer();
    egret = new EgretHarness(CONFIG, Map.of("UP", upstream.port(), "AUTHZ", authz.port(),
        "CERT", server.certChain(), "KEY", server.key(), "CA", ca.writePem(dir)));
  }

  @AfterAll
  static void stop() throws Exception {
    egret.close();
    authz.close();
    upstream.close();
  }

  static HttpClient mtlsClient(TestPki.Issued client) throws Exception {
    KeyStore keys = KeyStore.getInstance("PKCS12");
    keys.load(null, null);
    keys.setKeyEntry("client", client.key(), new char[0], new Certificate[] {client.cert(), client.issuer()});
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, new char[0]);
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", ca.cert());
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    return HttpClient.newBuilder().sslContext(ssl).version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
  }

  @Test
  void checkRequestNamesThePeerCertificatesUriSanAsSourcePrincipal() throws Exception {
    TestPki.Issued client = ca.issue("sleep", List.of(), List.of(CLIENT_ID), List.of());
    HttpResponse<String> r = mtlsClient(client).send(HttpRequest.newBuilder(
            URI.create("https://localhost:" + egret.port("mtls") + "/secure?a=b"))
        .header("x-force-authorized", "true").header("x-request-kind", "mtls")
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    CheckRequest check = authz.checks.poll(5, TimeUnit.SECONDS);
    assertThat(check).isNotNull();
    AttributeContext a = check.getAttributes();
    assertThat(a.getSource().getPrincipal()).isEqualTo(CLIENT_ID);
    assertThat(a.getDestination().getPrincipal()).isEqualTo(WAYPOINT_ID);
    assertThat(a.getRequest().getHttp().getScheme()).isEqualTo("https");
    assertThat(a.getRequest().getHttp().getPath()).isEqualTo("/secure?a=b");
    assertThat(a.getRequest().getHttp().getMethod()).isEqualTo("GET");
    assertThat(a.getRequest().getHttp().getHeadersMap()).containsEntry("x-request-kind", "mtls");
    assertThat(a.getTlsSession().getSni()).isEqualTo("localhost");
  }
}
