package dev.egret.core.http;

import static java.util.Objects.requireNonNull;

import io.netty.handler.codec.http.HttpHeaders;
import java.util.ArrayList;
import java.util.List;

/**
 * The connection manager's {@code forward_client_cert_details} and {@code
 * set_current_client_cert_details}: what happens to the {@code x-forwarded-client-cert} (XFCC)
 * request header, as Envoy does it.
 *
 * <ul>
 *   <li>{@code SANITIZE} (default): the header is removed.
 *   <li>{@code FORWARD_ONLY}: kept as the client sent it when the connection is mutual TLS, else removed.
 *   <li>{@code APPEND_FORWARD}: on mutual TLS, this hop's element is appended after a comma.
 *   <li>{@code SANITIZE_SET}: on mutual TLS, the header is replaced by this hop's element.
 *   <li>{@code ALWAYS_FORWARD_ONLY}: kept as sent, whatever the connection.
 * </ul>
 *
 * <p>This hop's element is {@code By=<URI SAN of our certificate>} (one per SAN), {@code
 * Hash=<hex SHA-256 of the client certificate>}, then as configured {@code Cert="<URL-encoded
 * PEM>"}, {@code Chain="<URL-encoded PEM chain>"}, {@code Subject="<RFC 2253 subject>"} (present
 * even when empty), {@code URI=<URI SAN>} (one per SAN; {@code URI=} when none), {@code DNS=<DNS SAN>}
 * (one per SAN), joined with ';'. Without mutual TLS (no client certificate) every mode but
 * {@code ALWAYS_FORWARD_ONLY} removes the header.
 *
 * @param mode    the {@code forward_client_cert_details} value
 * @param subject {@code set_current_client_cert_details.subject}
 * @param cert    {@code set_current_client_cert_details.cert}
 * @param chain   {@code set_current_client_cert_details.chain}
 * @param dns     {@code set_current_client_cert_details.dns}
 * @param uri     {@code set_current_client_cert_details.uri}
 */
public record ForwardClientCert(Mode mode, boolean subject, boolean cert, boolean chain, boolean dns,
    boolean uri) {
  /** The header's name. */
  public static final String HEADER = "x-forwarded-client-cert";
  /** Envoy's default: the header never passes. */
  public static final ForwardClientCert SANITIZE = new ForwardClientCert(Mode.SANITIZE, false, false, false,
      false, false);

  /** {@code forward_client_cert_details}. */
  public enum Mode {
    SANITIZE,
    FORWARD_ONLY,
    APPEND_FORWARD,
    SANITIZE_SET,
    ALWAYS_FORWARD_ONLY
  }

  public ForwardClientCert {
    requireNonNull(mode, "mode");
  }

  /** Applies the policy to a request's headers; {@code peer} is null without a client certificate. */
  public void apply(HttpHeaders headers, PeerCertificate peer) {
    if (mode == Mode.ALWAYS_FORWARD_ONLY) {
      return;
    }
    if (mode == Mode.SANITIZE || peer == null) {
      headers.remove(HEADER);
      return;
    }
    if (mode == Mode.FORWARD_ONLY) {
      return;
    }
    String element = element(peer);
    String previous = headers.get(HEADER);
    if (mode == Mode.APPEND_FORWARD && previous != null && !previous.isEmpty()) {
      headers.set(HEADER, previous + "," + element);
    } else {
      headers.set(HEADER, element);
    }
  }

  /** This hop's element for {@code peer}. */
  public String element(PeerCertificate peer) {
    List<String> parts = new ArrayList<>();
    for (String by : peer.localUriSans()) {
      parts.add("By=" + by);
    }
    parts.add("Hash=" + peer.sha256Hex());
    if (cert) {
      parts.add("Cert=\"" + peer.urlEncodedPem() + "\"");
    }
    if (chain) {
      parts.add("Chain=\"" + peer.urlEncodedChainPem() + "\"");
    }
    if (subject) {
      parts.add("Subject=\"" + peer.subject() + "\"");
    }
    if (uri) {
      List<String> uris = peer.uriSans();
      if (uris.isEmpty()) {
        parts.add("URI=");
      }
      for (String u : uris) {
        parts.add("URI=" + u);
      }
    }
    if (dns) {
      for (String d : peer.dnsSans()) {
        parts.add("DNS=" + d);
      }
    }
    return String.join(";", parts);
  }
}
