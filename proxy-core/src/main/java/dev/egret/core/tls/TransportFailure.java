package dev.egret.core.tls;

import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;

/**
 * Turns the exception that ended an upstream connection attempt into Envoy's texts:
 * {@link #reason} for {@code %UPSTREAM_TRANSPORT_FAILURE_REASON%} and {@link #resetReason} for the
 * stream reset reason (access-log spec §6).
 *
 * <ul>
 *   <li>connect errors: {@code delayed connect error: <strerror>} (e.g. {@code Connection refused}),
 *       reset reason {@code remote connection failure};
 *   <li>connect timeout: no reason, reset reason {@code connection timeout};
 *   <li>certificate rejected by Egret's verifier: {@code TLS_error:|268435581:SSL routines:
 *       OPENSSL_internal:CERTIFICATE_VERIFY_FAILED:verify cert failed: <detail>:TLS_error_end};
 *   <li>other TLS failures: BoringSSL's packed error code in decimal with its library, function and
 *       reason, between {@code TLS_error:|} and {@code :TLS_error_end}.
 * </ul>
 */
public final class TransportFailure {
  static final String VERIFY_FAILED = "268435581:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED";
  private static final Pattern BORINGSSL = Pattern.compile(
      "error:([0-9a-fA-F]{1,8}):([^:]*):([^:]*):([A-Z0-9_]+)");
  /** strerror texts Linux reports for connect(2). */
  private static final List<String> ERRNO_TEXTS = List.of("Connection refused", "No route to host",
      "Network is unreachable", "Connection timed out", "Connection reset by peer", "Host is down",
      "Permission denied", "Cannot assign requested address", "Address already in use",
      "Address family not supported by protocol", "Operation not permitted", "Protocol not available",
      "Connection aborted");
  private static final int MAX_CAUSES = 16;

  private TransportFailure() {}

  /** Envoy's transport failure reason for {@code cause}, or null when it has none or is unknown. */
  public static String reason(Throwable cause) {
    if (cause == null) {
      return null;
    }
    List<Throwable> all = flatten(cause);
    for (Throwable t : all) {
      if (t instanceof TlsVerificationException v) {
        return "TLS_error:|" + VERIFY_FAILED + ":verify cert failed: " + v.detail() + ":TLS_error_end";
      }
    }
    for (Throwable t : all) {
      if (t instanceof ConnectTimeoutException || t instanceof SslHandshakeTimeoutException) {
        return null;
      }
    }
    for (Throwable t : all) {
      if (t instanceof BindException) {
        return "failed to bind to " + stripAddress(errnoText(t.getMessage()));
      }
      if (t instanceof ConnectException || t instanceof NoRouteToHostException) {
        return "delayed connect error: " + errnoText(t.getMessage());
      }
    }
    for (Throwable t : all) {
      if (t instanceof SSLException ssl) {
        return tlsError(ssl);
      }
    }
    return null;
  }

  /** Envoy's reset reason for a failed connection attempt ending with {@code cause}. */
  public static String resetReason(Throwable cause) {
    for (Throwable t : flatten(cause)) {
      if (t instanceof ConnectTimeoutException || t instanceof SslHandshakeTimeoutException) {
        return "connection timeout";
      }
      if (t instanceof BindException) {
        return "local connection failure";
      }
    }
    return "remote connection failure";
  }

  private static String tlsError(SSLException e) {
    List<String> entries = new ArrayList<>();
    for (Throwable t = e; t != null && entries.isEmpty(); t = t.getCause() == t ? null : t.getCause()) {
      String msg = t.getMessage();
      if (msg == null) {
        continue;
      }
      Matcher m = BORINGSSL.matcher(msg);
      while (m.find()) {
        long packed = Long.parseLong(m.group(1), 16);
        String entry = packed + ":" + m.group(2) + ":" + m.group(3) + ":" + m.group(4);
        if (!entries.contains(entry)) {
          entries.add(entry);
        }
      }
    }
    if (entries.isEmpty()) {
      entries.add("0:SSL routines:OPENSSL_internal:" + jdkReason(e));
    }
    return "TLS_error:|" + String.join("|", entries) + ":TLS_error_end";
  }

  /** A BoringSSL-style reason for a JDK-provider failure, derived from its message. */
  private static String jdkReason(SSLException e) {
    String msg = e.getMessage() == null ? "" : e.getMessage().toLowerCase(Locale.ROOT);
    if (msg.contains("protocol")) {
      return "UNSUPPORTED_PROTOCOL";
    }
    if (msg.contains("certificate")) {
      return "CERTIFICATE_VERIFY_FAILED";
    }
    return "HANDSHAKE_FAILURE";
  }

  /** The strerror text inside a Java/Netty connect message (else the message without the address). */
  private static String errnoText(String message) {
    if (message == null || message.isEmpty()) {
      return "unknown error";
    }
    for (String text : ERRNO_TEXTS) {
      if (message.regionMatches(true, 0, text, 0, text.length()) || message.contains(text)) {
        return text;
      }
    }
    String m = message;
    int failed = m.indexOf("failed: ");
    if (failed >= 0) {
      m = m.substring(failed + "failed: ".length());
    }
    return stripAddress(m);
  }

  private static String stripAddress(String m) {
    int slash = m.indexOf(": /");
    return slash >= 0 ? m.substring(0, slash) : m;
  }

  private static List<Throwable> flatten(Throwable root) {
    List<Throwable> out = new ArrayList<>();
    Map<Throwable, Boolean> seen = new IdentityHashMap<>();
    List<Throwable> queue = new ArrayList<>();
    if (root != null) {
      queue.add(root);
    }
    while (!queue.isEmpty() && out.size() < MAX_CAUSES) {
      Throwable t = queue.remove(0);
      if (seen.put(t, Boolean.TRUE) != null) {
        continue;
      }
      out.add(t);
      if (t.getCause() != null) {
        queue.add(t.getCause());
      }
      for (Throwable s : t.getSuppressed()) {
        queue.add(s);
      }
    }
    return out;
  }
}
