package dev.egret.core.accesslog;

import static java.util.Objects.requireNonNull;

import dev.egret.core.config.ConfigPath;
import dev.egret.core.stream.StreamInfo;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import java.util.List;
import java.util.Locale;

/**
 * {@code %REQ(X?Y)%}, {@code %RESP(X?Y)%} and {@code %TRAILER(X?Y)%}: header X, else header Y. Names
 * are case-insensitive; several values of one header are joined with {@code ,}. A header that is
 * present with an empty value prints as empty (as Envoy does), a missing one is unset.
 *
 * <p>Headers are Netty HTTP/1 objects, so the HTTP/2 pseudo-headers are mapped: {@code :authority} is
 * the {@code host} header, {@code :path} the request URI, {@code :method} the method,
 * {@code :scheme} the {@code x-forwarded-proto} header and {@code :status} the response code.
 * {@code x-envoy-original-path} is {@link StreamInfo#originalPath()} when set.
 */
final class HeaderOperator implements FormatOperator {
  enum Source { REQUEST, RESPONSE, TRAILERS }

  private static final int PLAIN = 0;
  private static final int AUTHORITY = 1;
  private static final int PATH = 2;
  private static final int METHOD = 3;
  private static final int SCHEME = 4;
  private static final int STATUS = 5;
  private static final int ORIGINAL_PATH = 6;
  private static final int UNKNOWN_PSEUDO = 7;

  private final Source source;
  private final String main;
  private final int mainKind;
  private final String alternative; // nullable
  private final int alternativeKind;

  private HeaderOperator(Source source, String main, String alternative) {
    this.source = requireNonNull(source);
    this.main = main;
    this.mainKind = kind(source, main);
    this.alternative = alternative;
    this.alternativeKind = alternative == null ? PLAIN : kind(source, alternative);
  }

  /** Compiles the argument of a header command; reports errors and returns null on bad syntax. */
  static FormatOperator parse(Source source, String command, String argument, int maxLength,
      ConfigPath at) {
    if (argument == null || argument.isEmpty()) {
      at.error("access log format: %" + command + "% needs a header name: %" + command
          + "(name)% or %" + command + "(name?alternative)%");
      return null;
    }
    int q = argument.indexOf('?');
    String main = q < 0 ? argument : argument.substring(0, q);
    String alt = q < 0 ? null : argument.substring(q + 1);
    if (alt != null && alt.indexOf('?') >= 0) {
      at.error("access log format: more than one alternative header in %" + command + "("
          + argument + ")%");
      return null;
    }
    if (main.isEmpty() || (alt != null && alt.isEmpty()) || hasControl(argument)) {
      at.error("access log format: invalid header name in %" + command + "(" + argument + ")%");
      return null;
    }
    HeaderOperator op = new HeaderOperator(source, main.toLowerCase(Locale.ROOT),
        alt == null ? null : alt.toLowerCase(Locale.ROOT));
    return FormatOperator.truncated(op, maxLength);
  }

  private static boolean hasControl(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) < 0x20) {
        return true;
      }
    }
    return false;
  }

  private static int kind(Source source, String name) {
    if (source == Source.REQUEST && name.equals("x-envoy-original-path")) {
      return ORIGINAL_PATH;
    }
    if (name.isEmpty() || name.charAt(0) != ':') {
      return PLAIN;
    }
    switch (name) {
      case ":authority":
        return source == Source.REQUEST ? AUTHORITY : UNKNOWN_PSEUDO;
      case ":path":
        return source == Source.REQUEST ? PATH : UNKNOWN_PSEUDO;
      case ":method":
        return source == Source.REQUEST ? METHOD : UNKNOWN_PSEUDO;
      case ":scheme":
        return source == Source.REQUEST ? SCHEME : UNKNOWN_PSEUDO;
      case ":status":
        return source == Source.RESPONSE ? STATUS : UNKNOWN_PSEUDO;
      default:
        return UNKNOWN_PSEUDO;
    }
  }

  @Override
  public boolean append(StreamInfo info, StringBuilder out) {
    return lookup(info, main, mainKind, out)
        || (alternative != null && lookup(info, alternative, alternativeKind, out));
  }

  private boolean lookup(StreamInfo info, String name, int kind, StringBuilder out) {
    switch (kind) {
      case PLAIN:
        return appendHeader(headers(info), name, out);
      case ORIGINAL_PATH: {
        String p = info.originalPath();
        if (p != null) {
          out.append(p);
          return true;
        }
        return appendHeader(headers(info), name, out);
      }
      case AUTHORITY: {
        HttpRequest r = info.request();
        return r != null && appendHeader(r.headers(), "host", out);
      }
      case PATH: {
        HttpRequest r = info.request();
        if (r == null) {
          return false;
        }
        out.append(r.uri());
        return true;
      }
      case METHOD: {
        HttpRequest r = info.request();
        if (r == null) {
          return false;
        }
        out.append(r.method().name());
        return true;
      }
      case SCHEME: {
        HttpRequest r = info.request();
        return r != null && appendHeader(r.headers(), "x-forwarded-proto", out);
      }
      case STATUS: {
        HttpResponse r = info.response();
        if (r == null) {
          return false;
        }
        out.append(r.status().code());
        return true;
      }
      default:
        return false;
    }
  }

  private HttpHeaders headers(StreamInfo info) {
    switch (source) {
      case REQUEST: {
        HttpRequest r = info.request();
        return r == null ? null : r.headers();
      }
      case RESPONSE: {
        HttpResponse r = info.response();
        return r == null ? null : r.headers();
      }
      default:
        return info.responseTrailers();
    }
  }

  private static boolean appendHeader(HttpHeaders headers, String name, StringBuilder out) {
    if (headers == null) {
      return false;
    }
    List<String> all = headers.getAll(name);
    if (all.isEmpty()) {
      return false;
    }
    for (int i = 0; i < all.size(); i++) {
      if (i > 0) {
        out.append(',');
      }
      out.append(all.get(i));
    }
    return true;
  }
}
