package dev.egret.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.egret.core.testing.EgretHarness;
import dev.egret.core.testing.TestPki;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;

/**
 * End to end: {@code forward_client_cert_details} over real mutual TLS, {@code
 * path_with_escaped_slashes_action}, and Istio's {@code tracing} / {@code request_id_extension}
 * accepted as no-ops. Routes echo what the connection manager made of the request in response headers.
 */
class HcmRequestPoliciesIntegrationTest {
  private static final String HCM_HEAD = """
                "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                http_filters:
                - name: envoy.filters.http.router
                  typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router }
                route_config:
                  response_headers_to_add:
                  - header: { key: seen-xfcc, value: "%REQ(x-forwarded-client-cert)%" }
                  - header: { key: seen-path, value: "%REQ(:PATH)%" }
                  - header: { key: seen-request-id, value: "%REQ(x-request-id)%" }
                  virtual_hosts:
                  - name: all
                    domains: ["*"]
                    routes: [{ match: { prefix: "/" }, direct_response: { status: 200, body: { inline_string: "ok" } } }]
      """;
  private static final String CONFIG = """
      static_resources:
        secrets:
        - name: default
          tls_certificate:
            certificate_chain: { filename: "${CERT}" }
            private_key: { filename: "${KEY}" }
        - name: ROOTCA
          validation_context: { trusted_ca: { filename: "${CA}" } }
        listeners:
        - name: mtls
          address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
          filter_chains:
          - transport_socket:
              name: tls
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext
                require_client_certificate: true
                common_tls_context:
                  tls_certificate_sds_secret_configs: [{ name: default }]
                  validation_context_sds_secret_config: { name: ROOTCA }
            filters:
            - name: envoy.filters.network.http_connection_manager
              typed_config:
                stat_prefix: mtls
                forward_client_cert_details: APPEND_FORWARD
                set_current_client_cert_details: { subject: true, dns: true, uri: true }
      HCM
        - name: escapes
          address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
          filter_chains:
          - filters:
            - name: envoy.filters.network.http_connection_manager
              typed_config:
                stat_prefix: escapes
                normalize_path: true
                merge_slashes: true
                path_with_escaped_slashes_action: UNESCAPE_AND_REDIRECT
                request_id_extension:
                  typed_config:
                    "@type": type.googleapis.com/envoy.extensions.request_id.uuid.v3.UuidRequestIdConfig
                    use_request_id_for_trace_sampling: true
                tracing:
                  client_sampling: { value: 100 }
                  random_sampling: { value: 1 }
                  overall_sampling: { value: 100 }
                  custom_tags:
                  - tag: istio.mesh_id
                    literal: { value: cluster.local }
      HCM
        - name: reject
          address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
          filter_chains:
          - filters:
            - name: envoy.filters.network.http_connection_manager
              typed_config:
                stat_prefix: reject
                path_with_escaped_slashes_action: REJECT_REQUEST
      HCM
      """.replace("HCM\n", HCM_HEAD);

  private static SSLContext client(TestPki.Ca ca, TestPki.Issued leaf) throws Exception {
    char[] pass = "pass".toCharArray();
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setKeyEntry("leaf", leaf.key(), pass, new X509Certificate[] {leaf.cert(), leaf.issuer()});
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, pass);
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", ca.cert());
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    return ctx;
  }

  /** One GET over mutual TLS with an x-forwarded-client-cert the client made up; returns the header lines. */
  private static List<String> getOverMtls(SSLContext ctx, int port) throws Exception {
    try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", port)) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(("GET / HTTP/1.1\r\nHost: x\r\nx-forwarded-client-cert: By=previous-hop\r\n"
          + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
      List<String> lines = new ArrayList<>();
      String line;
      while ((line = in.readLine()) != null && !line.isEmpty()) {
        lines.add(line);
      }
      return lines;
    }
  }

  @Test
  void appendForwardAddsThisHopsElementBuiltFromTheClientCertificate() throws Exception {
    Path dir = Files.createTempDirectory("egret-xfcc");
    TestPki.Ca ca = TestPki.newCa("xfcc root");
    TestPki.PemFiles server = ca.issue("waypoint", List.of(), List.of("spiffe://cluster.local/ns/w/sa/waypoint"),
        List.of("127.0.0.1")).writePem(dir);
    TestPki.Issued leaf = ca.issue("client", List.of("client.example"),
        List.of("spiffe://cluster.local/ns/a/sa/client"), List.of());
    String hash = java.util.HexFormat.of().formatHex(
        java.security.MessageDigest.getInstance("SHA-256").digest(leaf.cert().getEncoded()));
    try (EgretHarness egret = new EgretHarness(CONFIG, Map.of("CERT", server.certChain(), "KEY", server.key(),
        "CA", ca.writePem(dir)))) {
      List<String> lines = getOverMtls(client(ca, leaf), egret.port("mtls"));
      assertThat(lines.get(0)).isEqualTo("HTTP/1.1 200 OK");
      assertThat(lines).contains("seen-xfcc: By=previous-hop,By=spiffe://cluster.local/ns/w/sa/waypoint;Hash=" + hash
          + ";Subject=\"" + leaf.cert().getSubjectX500Principal().getName() + "\""
          + ";URI=spiffe://cluster.local/ns/a/sa/client;DNS=client.example");

      // plain text: no client certificate, so the made-up header is removed
      HttpResponse<String> plain = egret.send("escapes", "x", "GET", "/a", HttpRequest.BodyPublishers.noBody(),
          Map.of("x-forwarded-client-cert", "By=forged"));
      assertThat(plain.statusCode()).isEqualTo(200);
      assertThat(plain.headers().firstValue("seen-xfcc")).as("an empty value adds no header").isEmpty();
    }
  }

  @Test
  void escapedSlashesRedirectToTheNormalisedPathOrAreRefused() throws Exception {
    Path dir = Files.createTempDirectory("egret-escapes");
    TestPki.Ca ca = TestPki.newCa("escapes root");
    TestPki.PemFiles server = ca.issue("waypoint", List.of(), List.of(), List.of("127.0.0.1")).writePem(dir);
    try (EgretHarness egret = new EgretHarness(CONFIG, Map.of("CERT", server.certChain(), "KEY", server.key(),
        "CA", ca.writePem(dir)))) {
      HttpResponse<String> r = egret.get("escapes", "x", "/a%2F..%2Fadmin%2f%2Fb?q=%2F");
      assertThat(r.statusCode()).isEqualTo(307);
      assertThat(r.headers().firstValue("location")).hasValue("/admin/b?q=%2F");
      HttpResponse<String> ok = egret.get("escapes", "x", "/a/./b");
      assertThat(ok.statusCode()).isEqualTo(200);
      assertThat(ok.headers().firstValue("seen-path")).hasValue("/a/b");
      assertThat(ok.headers().firstValue("seen-request-id").orElse("")).matches("[0-9a-f-]{36}");
      assertThat(egret.get("reject", "x", "/a%5Cb").statusCode()).isEqualTo(400);
      assertThat(egret.get("reject", "x", "/a%2Fb").statusCode()).isEqualTo(400);
      HttpResponse<String> kept = egret.get("reject", "x", "/a%20b");
      assertThat(kept.statusCode()).isEqualTo(200);
      assertThat(kept.headers().firstValue("seen-path")).hasValue("/a%20b");
    }
  }
}
