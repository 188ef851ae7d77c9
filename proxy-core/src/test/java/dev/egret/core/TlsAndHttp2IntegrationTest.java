package dev.egret.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.egret.core.demo.DemoUpstream;
import dev.egret.core.testing.EgretHarness;
import dev.egret.core.testing.H2cClient;
import dev.egret.core.testing.TestPki;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * TLS origination (SNI, certificate and SAN checks, Envoy's failure texts), HTTP/2 upstreams chosen
 * by ALPN or prior knowledge, and HTTP/2 downstream over TLS (ALPN) and cleartext (prior knowledge).
 */
class TlsAndHttp2IntegrationTest {
  static final String VERIFY_FAILED = "TLS_error:|268435581:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED:";

  static final String CONFIG = """
      static_resources:
        listeners:
        - name: plain
          address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
          filter_chains:
          - filters:
            - name: envoy.filters.network.http_connection_manager
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                stat_prefix: plain
                access_log:
                - name: envoy.access_loggers.file
                  typed_config:
                    "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog
                    path: ${ACCESS_LOG}
                    log_format:
                      text_format_source:
                        inline_string: "%REQ(:AUTHORITY)% %PROTOCOL% %RESPONSE_CODE% %RESPONSE_FLAGS% %RESPONSE_CODE_DETAILS% %REQUESTED_SERVER_NAME%\\n"
                route_config:
                  virtual_hosts:
                  - name: secure
                    domains: ["secure.test"]
                    routes: [{ match: { prefix: "/" }, route: { cluster: tls_h2_by_alpn } }]
                  - name: wrongsan
                    domains: ["wrongsan.test"]
                    routes: [{ match: { prefix: "/" }, route: { cluster: tls_wrong_san } }]
                  - name: untrusted
                    domains: ["untrusted.test"]
                    routes: [{ match: { prefix: "/" }, route: { cluster: tls_other_ca } }]
                  - name: autosni
                    domains: ["api.secure.test", "evil.test"]
                    routes: [{ match: { prefix: "/" }, route: { cluster: tls_auto_sni } }]
                  - name: h2c
                    domains: ["h2c.test"]
                    routes: [{ match: { prefix: "/" }, route: { cluster: h2c_upstream } }]
                http_filters:
                - name: envoy.filters.http.router
                  typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router }
        - name: tls
          address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
          filter_chains:
          - transport_socket:
              name: envoy.transport_sockets.tls
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext
                common_tls_context:
                  alpn_protocols: ["h2", "http/1.1"]
                  tls_certificates:
                  - certificate_chain: { filename: "${LISTENER_CERT}" }
                    private_key: { filename: "${LISTENER_KEY}" }
            filters:
            - name: envoy.filters.network.http_connection_manager
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                stat_prefix: tls
                access_log:
                - name: envoy.access_loggers.file
                  typed_config:
                    "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog
                    path: ${ACCESS_LOG}
                    log_format:
                      text_format_source:
                        inline_string: "%REQ(:AUTHORITY)% %PROTOCOL% %RESPONSE_CODE% %RESPONSE_FLAGS% %RESPONSE_CODE_DETAILS% %REQUESTED_SERVER_NAME%\\n"
                route_config:
                  virtual_hosts:
                  - name: all
                    domains: ["*"]
                    routes: [{ match: { prefix: "/" }, route: { cluster: tls_h2_by_alpn } }]
                http_filters:
                - name: envoy.filters.http.router
                  typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router }
        clusters:
        - name: tls_h2_by_alpn
          type: STATIC
          load_assignment:
            cluster_name: tls_h2_by_alpn
            endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${SECURE_PORT} } } } }] }]
          typed_extension_protocol_options:
            envoy.extensions.upstreams.http.v3.HttpProtocolOptions:
              "@type": type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions
              auto_config: {}
          transport_socket:
            name: envoy.transport_sockets.tls
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext
              sni: api.secure.test
              common_tls_context:
                validation_context:
                  trusted_ca: { filename: "${CA}" }
                  match_typed_subject_alt_names: [{ san_type: DNS, matcher: { exact: api.secure.test } }]
        - name: tls_wrong_san
          type: STATIC
          load_assignment:
            cluster_name: tls_wrong_san
            endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${SECURE_PORT} } } } }] }]
          transport_socket:
            name: envoy.transport_sockets.tls
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext
              sni: api.secure.test
              common_tls_context:
                validation_context:
                  trusted_ca: { filename: "${CA}" }
                  match_typed_subject_alt_names: [{ san_type: DNS, matcher: { exact: payments.secure.test } }]
        - name: tls_other_ca
          type: STATIC
          load_assignment:
            cluster_name: tls_other_ca
            endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${SECURE_PORT} } } } }] }]
          transport_socket:
            name: envoy.transport_sockets.tls
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext
              sni: api.secure.test
              common_tls_context:
                validation_context:
                  trusted_ca: { filename: "${OTHER_CA}" }
        - name: tls_auto_sni
          type: STATIC
          load_assignment:
            cluster_name: tls_auto_sni
            endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${SECURE_PORT} } } } }] }]
          typed_extension_protocol_options:
            envoy.extensions.upstreams.http.v3.HttpProtocolOptions:
              "@type": type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions
              explicit_http_config: { http_protocol_options: {} }
              upstream_http_protocol_options: { auto_sni: true, auto_san_validation: true }
          transport_socket:
            name: envoy.transport_sockets.tls
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext
              common_tls_context:
                validation_context:
                  trusted_ca: { filename: "${CA}" }
        - name: h2c_upstream
          type: STATIC
          load_assignment:
            cluster_name: h2c_upstream
            endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${H2C_PORT} } } } }] }]
          typed_extension_protocol_options:
            envoy.extensions.upstreams.http.v3.HttpProtocolOptions:
              "@type": type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions
              explicit_http_config: { http2_protocol_options: {} }
      """;

  static Path dir;
  static TestPki.Ca ca;
  static DemoUpstream secure;
  static DemoUpstream h2c;
  static EgretHarness egret;

  @BeforeAll
  static void start() throws Exception {
    dir = Files.createTempDirectory("egret-tls-it");
    ca = TestPki.newCa("it-ca");
    Path caPem = ca.writePem(dir);
    Path otherCa = Files.createDirectories(dir.resolve("other"));
    Path otherCaPem = TestPki.newCa("other-ca").writePem(otherCa);
    TestPki.Issued server = ca.issue("api.secure.test", List.of("api.secure.test"), List.of(), List.of());
    TestPki.Issued listener = ca.issue("egret", List.of("localhost"), List.of(), List.of("127.0.0.1"));
    Path listenerDir = Files.createDirectories(dir.resolve("listener"));
    TestPki.PemFiles listenerFiles = listener.writePem(listenerDir);
    SslContext serverCtx = SslContextBuilder.forServer(server.key(), server.cert())
        .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
            ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1))
        .build();
    secure = DemoUpstream.tls("secure", serverCtx);
    h2c = DemoUpstream.http2PriorKnowledge("h2c");
    egret = new EgretHarness(CONFIG, Map.of(
        "SECURE_PORT", secure.port(), "H2C_PORT", h2c.port(), "CA", caPem, "OTHER_CA", otherCaPem,
        "LISTENER_CERT", listenerFiles.certChain(), "LISTENER_KEY", listenerFiles.key()));
  }

  @AfterAll
  static void stop() throws Exception {
    egret.close();
    secure.close();
    h2c.close();
  }


  @Test
  void originatesTlsWithSniAndNegotiatesHttp2ByAlpn() throws Exception {
    HttpResponse<String> r = egret.get("plain", "secure.test", "/get");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("secure GET /get HTTP/2");
    assertThat(secure.lastSni()).isEqualTo("api.secure.test");
  }

  @Test
  void sanMismatchIs503UfNamingTheVerificationFailure() throws Exception {
    HttpResponse<String> r = egret.get("plain", "wrongsan.test", "/get");
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.body()).isEqualTo("upstream connect error or disconnect/reset before headers. reset reason: "
        + "remote connection failure, transport failure reason: " + VERIFY_FAILED
        + "verify cert failed: SAN matcher:TLS_error_end");
    assertThat(egret.awaitLogLineStartingWith("wrongsan.test ")).isEqualTo("wrongsan.test HTTP/1.1 503 UF "
        + "upstream_reset_before_response_started{remote_connection_failure|"
        + VERIFY_FAILED.replace(' ', '_') + "verify_cert_failed:_SAN_matcher:TLS_error_end} -");
  }

  @Test
  void untrustedChainIs503UfWithBoringSslText() throws Exception {
    HttpResponse<String> r = egret.get("plain", "untrusted.test", "/get");
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.body()).endsWith("transport failure reason: " + VERIFY_FAILED + "verify cert failed: "
        + "X509_verify_cert: certificate verification error at depth 0: unable to get local issuer "
        + "certificate:TLS_error_end");
  }

  @Test
  void autoSniTakesTheHostAndAutoSanValidationChecksIt() throws Exception {
    HttpResponse<String> ok = egret.get("plain", "api.secure.test", "/auto");
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(ok.body()).isEqualTo("secure GET /auto HTTP/1.1");
    assertThat(secure.lastSni()).isEqualTo("api.secure.test");
    HttpResponse<String> bad = egret.get("plain", "evil.test", "/auto");
    assertThat(bad.statusCode()).isEqualTo(503);
    assertThat(bad.body()).endsWith(VERIFY_FAILED + "verify cert failed: verify SAN list:TLS_error_end");
  }

  @Test
  void http2UpstreamByPriorKnowledge() throws Exception {
    HttpResponse<String> r = egret.get("plain", "h2c.test", "/prior");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("h2c GET /prior HTTP/2");
  }

  @Test
  void http2DownstreamOverTlsWithAlpn() throws Exception {
    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    trust.load(null, null);
    trust.setCertificateEntry("ca", ca.cert());
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(null, tmf.getTrustManagers(), null);
    HttpClient client = HttpClient.newBuilder().sslContext(ssl).version(HttpClient.Version.HTTP_2).build();
    HttpResponse<String> r = client.send(HttpRequest.newBuilder(
        URI.create("https://localhost:" + egret.port("tls") + "/over-tls")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("secure GET /over-tls HTTP/2");
    assertThat(egret.awaitLogLineStartingWith("localhost:" + egret.port("tls") + " ")).endsWith(" HTTP/2 200 - via_upstream localhost");
  }

  @Test
  void http2DownstreamByPriorKnowledgeOnCleartext() throws Exception {
    try (H2cClient client = new H2cClient(egret.port("plain"))) {
      H2cClient.Response a = client.get("h2c.test", "/one");
      H2cClient.Response b = client.get("secure.test", "/two");
      assertThat(a.status()).isEqualTo(200);
      assertThat(a.body()).isEqualTo("h2c GET /one HTTP/2");
      assertThat(b.body()).isEqualTo("secure GET /two HTTP/2");
      assertThat(a.server()).isEqualTo("envoy");
      assertThat(client.connectionSendWindow()).as("the 1 MiB connection window of hardening.md")
          .isGreaterThan(1024 * 1024 - 2 * 65_535);
    }
    assertThat(egret.awaitLogLineStartingWith("h2c.test ")).contains(" HTTP/2 200 - via_upstream");
  }
}
