package dev.egret.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.egret.core.testing.EgretHarness;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * An upstream that accepts the connection and never reads: Egret's writes back up, it stops reading
 * the client (so it holds a bounded amount, not the 64 MiB the client wants to send), and the stream
 * idle timer ends the stream with 408 {@code SI}.
 */
class NonReadingUpstreamTest {
  static final long BODY = 64L << 20;

  @Test
  void backpressureBoundsWhatEgretReadsAndStreamIdleEndsTheStream() throws Exception {
    try (ServerSocket deaf = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
      CompletableFuture<Socket> accepted = CompletableFuture.supplyAsync(() -> {
        try {
          return deaf.accept(); // and then never read from it
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      String config = """
          static_resources:
            listeners:
            - name: in
              address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
              filter_chains:
              - filters:
                - name: envoy.filters.network.http_connection_manager
                  typed_config:
                    "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                    stat_prefix: in
                    stream_idle_timeout: 0.5s
                    access_log:
                    - name: envoy.access_loggers.file
                      typed_config:
                        "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog
                        path: ${ACCESS_LOG}
                        log_format:
                          text_format_source: { inline_string: "%RESPONSE_CODE% %RESPONSE_FLAGS% %RESPONSE_CODE_DETAILS% %BYTES_RECEIVED%\\n" }
                    route_config:
                      virtual_hosts:
                      - name: all
                        domains: ["*"]
                        routes: [{ match: { prefix: "/" }, route: { cluster: deaf } }]
                    http_filters:
                    - name: envoy.filters.http.router
                      typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router }
            clusters:
            - name: deaf
              type: STATIC
              load_assignment:
                cluster_name: deaf
                endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${DEAF} } } } }] }]
          """;
      try (EgretHarness egret = new EgretHarness(config, Map.of("DEAF", deaf.getLocalPort()));
           Socket client = new Socket("127.0.0.1", egret.port("in"))) {
        client.setSoTimeout(10_000);
        OutputStream out = client.getOutputStream();
        out.write(("POST /upload HTTP/1.1\r\nHost: a.test\r\nContent-Length: " + BODY + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
        Thread writer = new Thread(() -> {
          byte[] chunk = new byte[64 * 1024];
          try {
            for (long sent = 0; sent < BODY; sent += chunk.length) {
              out.write(chunk); // blocks once Egret stops reading
            }
          } catch (Exception e) {
            // the connection ended while we were still writing: expected
          }
        }, "body-writer");
        writer.setDaemon(true);
        writer.start();
        String response = new String(client.getInputStream().readNBytes(512), StandardCharsets.US_ASCII);
        assertThat(response).startsWith("HTTP/1.1 408 Request Timeout").endsWith("stream timeout");
        String line = egret.awaitLogLineStartingWith("408 ");
        assertThat(line).startsWith("408 SI stream_idle_timeout ");
        long received = Long.parseLong(line.substring(line.lastIndexOf(' ') + 1));
        assertThat(received).as("bytes Egret took from the client").isPositive().isLessThan(BODY / 4);
        writer.join(TimeUnit.SECONDS.toMillis(5));
      }
      accepted.get(5, TimeUnit.SECONDS).close();
    }
  }
}
