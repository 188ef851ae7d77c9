package dev.egret.core.accesslog;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;

/** The machine's host name for {@code %HOSTNAME%}, as gethostname(2) reports it; null if unknown. */
final class Hostname {
  private Hostname() {}

  static String get() {
    try {
      Path p = Path.of("/proc/sys/kernel/hostname");
      if (Files.isReadable(p)) {
        String s = Files.readString(p).trim();
        if (!s.isEmpty()) {
          return s;
        }
      }
    } catch (IOException | RuntimeException e) {
      // fall through
    }
    String env = System.getenv("HOSTNAME");
    if (env != null && !env.isEmpty()) {
      return env;
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return null;
    }
  }
}
