package dev.egret.core.tls;

import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsCertificate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The files a TLS context was read from and their modification times then, to notice a rotation.
 * {@link #changedSince} looks at the disk at most once per interval, so a handshake seldom pays for
 * it. Thread-safe.
 */
final class FileStamps {
  private final List<Path> paths;
  private long[] stamps;
  private long lastCheckNanos = System.nanoTime();

  private FileStamps(List<Path> paths) {
    this.paths = List.copyOf(paths);
    this.stamps = read(this.paths);
  }

  static FileStamps of(CommonTlsContext c) {
    List<Path> out = new ArrayList<>();
    for (TlsCertificate t : c.getTlsCertificatesList()) {
      add(out, t.getCertificateChain());
      add(out, t.getPrivateKey());
    }
    if (c.hasValidationContext()) {
      add(out, c.getValidationContext());
    }
    if (c.hasCombinedValidationContext()) {
      add(out, c.getCombinedValidationContext().getDefaultValidationContext());
    }
    return new FileStamps(out);
  }

  private static void add(List<Path> out, CertificateValidationContext v) {
    add(out, v.getTrustedCa());
  }

  private static void add(List<Path> out, DataSource ds) {
    if (ds.getSpecifierCase() == DataSource.SpecifierCase.FILENAME) {
      out.add(Path.of(ds.getFilename()));
    }
  }

  /** Whether a file changed since the last look, looking only when {@code intervalNanos} have passed. */
  synchronized boolean changedSince(long intervalNanos) {
    if (paths.isEmpty()) {
      return false;
    }
    long now = System.nanoTime();
    if (now - lastCheckNanos < intervalNanos) {
      return false;
    }
    lastCheckNanos = now;
    long[] current = read(paths);
    if (java.util.Arrays.equals(current, stamps)) {
      return false;
    }
    stamps = current;
    return true;
  }

  private static long[] read(List<Path> paths) {
    long[] out = new long[paths.size()];
    for (int i = 0; i < out.length; i++) {
      try {
        out[i] = Files.getLastModifiedTime(paths.get(i)).toMillis() ^ (Files.size(paths.get(i)) << 40);
      } catch (IOException e) {
        out[i] = -1; // missing for now (being replaced): a change, once it is back
      }
    }
    return out;
  }
}
