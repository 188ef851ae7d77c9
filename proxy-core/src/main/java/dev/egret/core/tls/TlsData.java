package dev.egret.core.tls;

import dev.egret.core.config.ConfigPath;
import dev.egret.core.config.Fields;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Reads TLS material from Envoy {@link DataSource}s ({@code filename}, {@code inline_bytes},
 * {@code inline_string}) at compile time. Problems are reported on the given path and yield null.
 */
final class TlsData {
  private TlsData() {}

  /** The bytes of {@code ds}, or null (with an error reported) when unreadable or empty. */
  static byte[] read(DataSource ds, ConfigPath at) {
    if (!Fields.allowOnly(ds, at, Set.of("filename", "inline_bytes", "inline_string"))) {
      return null;
    }
    byte[] bytes;
    switch (ds.getSpecifierCase()) {
      case FILENAME -> {
        try {
          bytes = Files.readAllBytes(Path.of(ds.getFilename()));
        } catch (IOException | RuntimeException e) {
          at.field("filename").error("cannot read '" + ds.getFilename() + "': " + e.getMessage());
          return null;
        }
      }
      case INLINE_BYTES -> bytes = ds.getInlineBytes().toByteArray();
      case INLINE_STRING -> bytes = ds.getInlineString().getBytes(StandardCharsets.UTF_8);
      default -> {
        at.error("data source is empty");
        return null;
      }
    }
    if (bytes.length == 0) {
      at.error("data source is empty");
      return null;
    }
    return bytes;
  }

  /** Parses one or more PEM (or DER) certificates; null with an error when none could be read. */
  static List<X509Certificate> certificates(byte[] bytes, ConfigPath at) {
    try {
      CertificateFactory cf = CertificateFactory.getInstance("X.509");
      List<X509Certificate> out = new ArrayList<>();
      cf.generateCertificates(new ByteArrayInputStream(bytes))
          .forEach(c -> out.add((X509Certificate) c));
      if (out.isEmpty()) {
        at.error("no certificate found");
        return null;
      }
      return List.copyOf(out);
    } catch (CertificateException | RuntimeException e) {
      at.error("invalid certificate data: " + e.getMessage());
      return null;
    }
  }
}
