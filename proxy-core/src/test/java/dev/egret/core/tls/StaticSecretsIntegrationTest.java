package dev.egret.core.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.egret.core.config.ConfigException;
import dev.egret.core.testing.EgretHarness;
import dev.egret.core.testing.TestPki;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;

/**
 * Istio's way of naming certificates ({@code tls_certificate_sds_secret_configs: default},
 * {@code combined_validation_context} with {@code ROOTCA}) served from {@code static_resources.secrets}
 * backed by files, and a rotation of those files picked up by new connections while an open one
 * keeps working.
 */
class StaticSecretsIntegrationTest {
  static final char[] PASS = "pass".toCharArray();
  static final String CONFIG = """
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
                  tls_certificate_sds_secret_configs:
                  - name: default
                    sds_config: { ads: {}, resource_api_version: V3 }
                  combined_validation_context:
                    default_validation_context:
                      match_typed_subject_alt_names: [{ san_type: URI, matcher: { prefix: "spiffe://cluster.local/" } }]
                    validation_context_sds_secret_config:
                      name: ROOTCA
                      sds_config: { ads: {}, resource_api_version: V3 }
            filters:
            - name: envoy.filters.network.http_connection_manager
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                stat_prefix: mtls
                route_config:
                  virtual_hosts:
                  - name: all
                    domains: ["*"]
                    routes: [{ match: { prefix: "/" }, direct_response: { status: 200, body: { inline_string: "ok" } } }]
                http_filters:
                - name: envoy.filters.http.router
                  typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router }
      """;

  static SSLContext client(TestPki.Ca ca, TestPki.Issued leaf) throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setKeyEntry("leaf", leaf.key(), PASS, new X509Certificate[] {leaf.cert(), leaf.issuer()});
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, PASS);
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", ca.cert());
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    return ctx;
  }

  /** Sends one keep-alive request on {@code s}; returns the status line. */
  static String get(SSLSocket s, BufferedReader in) throws Exception {
    OutputStream out = s.getOutputStream();
    out.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    out.flush();
    String status = in.readLine();
    String line;
    int length = 0;
    while ((line = in.readLine()) != null && !line.isEmpty()) {
      if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(15).trim());
      }
    }
    for (int i = 0; i < length; i++) {
      in.read();
    }
    return status;
  }

  static SSLSocket connect(SSLContext ctx, int port) throws Exception {
    SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", port);
    s.setSoTimeout(10_000);
    s.startHandshake();
    return s;
  }

  static String serverCn(SSLSocket s) throws Exception {
    return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
  }

  @Test
  void namedSecretsServeMutualTlsAndARotatedCertificateReachesNewConnectionsOnly() throws Exception {
    Path dir = Files.createTempDirectory("egret-secrets");
    TestPki.Ca ca = TestPki.newCa("cluster.local root");
    Path caPem = ca.writePem(dir);
    TestPki.PemFiles first = ca.issue("waypoint-one", List.of(), List.of("spiffe://cluster.local/ns/a/sa/w"),
        List.of("127.0.0.1")).writePem(Files.createDirectories(dir.resolve("one")));
    Path cert = dir.resolve("cert.pem");
    Path key = dir.resolve("key.pem");
    Files.copy(first.certChain(), cert);
    Files.copy(first.key(), key);
    SSLContext mesh = client(ca, ca.issue("client", List.of(), List.of("spiffe://cluster.local/ns/b/sa/c"), List.of()));
    SSLContext foreign = client(ca, ca.issue("client", List.of(), List.of("spiffe://other.domain/ns/b/sa/c"), List.of()));
    try (EgretHarness egret = new EgretHarness(CONFIG, Map.of("CERT", cert, "KEY", key, "CA", caPem))) {
      int port = egret.port("mtls");
      SSLSocket open = connect(mesh, port);
      BufferedReader openIn = new BufferedReader(new InputStreamReader(open.getInputStream(), StandardCharsets.US_ASCII));
      assertThat(get(open, openIn)).isEqualTo("HTTP/1.1 200 OK");
      assertThat(serverCn(open)).contains("CN=waypoint-one");
      // the default validation context's SAN check, merged over ROOTCA, refuses another trust domain
      assertThatThrownBy(() -> {
        try (SSLSocket s = connect(foreign, port)) {
          get(s, new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)));
        }
      }).isInstanceOf(Exception.class);

      TestPki.PemFiles second = ca.issue("waypoint-two", List.of(), List.of("spiffe://cluster.local/ns/a/sa/w"),
          List.of("127.0.0.1")).writePem(Files.createDirectories(dir.resolve("two")));
      Files.copy(second.key(), key, StandardCopyOption.REPLACE_EXISTING);
      Files.copy(second.certChain(), cert, StandardCopyOption.REPLACE_EXISTING);
      String cn = null;
      long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(15);
      while (System.nanoTime() < deadline) { // bounded: the reload looks at most once a second
        try (SSLSocket s = connect(mesh, port)) {
          cn = serverCn(s);
        }
        if (cn.contains("CN=waypoint-two")) {
          break;
        }
        Thread.sleep(200);
      }
      assertThat(cn).contains("CN=waypoint-two");
      assertThat(get(open, openIn)).as("the connection opened before the rotation").isEqualTo("HTTP/1.1 200 OK");
      open.close();
    }
  }

  @Test
  void aSecretNameNotDeclaredIsAnErrorAtTheReference() throws Exception {
    String yaml = CONFIG.replace("  name: ROOTCA\n", "  name: MISSING\n"); // the reference, not the secret
    assertThatThrownBy(() -> new EgretHarness(yaml, Map.of("CERT", "/x", "KEY", "/y", "CA", "/z")).close())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("validation_context_sds_secret_config.name")
        .hasMessageContaining("secret 'MISSING' is not declared in static_resources.secrets")
        .hasMessageNotContaining("cannot read"); // reported alone, not with what follows from it
  }
}
