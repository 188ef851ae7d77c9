package dev.egret.core.route;

import java.time.Duration;

/** Parses gRPC's {@code grpc-timeout} header: up to 8 digits and a unit (H, M, S, m, u, n). */
final class GrpcTimeout {
  private GrpcTimeout() {}

  /** The timeout, or null when the header is absent or malformed (then it is ignored, as Envoy does). */
  static Duration parse(String value) {
    if (value == null || value.length() < 2 || value.length() > 9) {
      return null;
    }
    long n = 0;
    for (int i = 0; i < value.length() - 1; i++) {
      char c = value.charAt(i);
      if (c < '0' || c > '9') {
        return null;
      }
      n = n * 10 + (c - '0');
    }
    return switch (value.charAt(value.length() - 1)) {
      case 'H' -> Duration.ofHours(n);
      case 'M' -> Duration.ofMinutes(n);
      case 'S' -> Duration.ofSeconds(n);
      case 'm' -> Duration.ofMillis(n);
      case 'u' -> Duration.ofNanos(n * 1000);
      case 'n' -> Duration.ofNanos(n);
      default -> null;
    };
  }
}
