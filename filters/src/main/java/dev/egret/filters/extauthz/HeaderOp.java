package dev.egret.filters.extauthz;

import static java.util.Objects.requireNonNull;

import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;
import java.util.Locale;

/**
 * One header change an authorization server asked for, with Envoy's ext_authz meaning of each kind.
 *
 * @param name  lower-case header name ({@code :authority} is the {@code host} header)
 * @param value the value
 * @param kind  how it is applied
 */
record HeaderOp(String name, String value, Kind kind) {
  HeaderOp {
    requireNonNull(name, "name");
    requireNonNull(value, "value");
    requireNonNull(kind, "kind");
  }

  /** How a value meets the headers already there. */
  enum Kind {
    /** Replace every existing value (or add). */
    SET,
    /** Append to an existing header, comma-joined; nothing when absent (gRPC {@code append: true}). */
    APPEND_IF_EXISTS,
    /** Append comma-joined to an existing header, or add it. */
    APPEND_OR_ADD,
    /** Add another line with this value. */
    ADD,
    /** Add only when the header is absent. */
    ADD_IF_ABSENT,
    /** Replace only when the header is present. */
    OVERWRITE_IF_EXISTS
  }

  /**
   * The kind of a {@code HeaderValueOption} in a {@code CheckResponse}: the deprecated {@code append}
   * wins when set (true → append to an existing header, false → set); otherwise a non-default
   * {@code append_action} is honoured, and the default (neither set) overwrites, as Envoy's gRPC
   * ext_authz client treats an unset {@code append} as false.
   */
  static HeaderOp of(HeaderValueOption o, boolean response) {
    String name = o.getHeader().getKey().toLowerCase(Locale.ROOT);
    String value = o.getHeader().getValue();
    Kind kind;
    if (o.hasAppend()) {
      kind = o.getAppend().getValue() ? (response ? Kind.ADD : Kind.APPEND_IF_EXISTS) : Kind.SET;
    } else {
      kind = switch (o.getAppendAction()) {
        case ADD_IF_ABSENT -> Kind.ADD_IF_ABSENT;
        case OVERWRITE_IF_EXISTS -> Kind.OVERWRITE_IF_EXISTS;
        default -> Kind.SET;
      };
    }
    return new HeaderOp(name, value, kind);
  }

  /** The header name as Netty's HTTP/1-style headers hold it. */
  String nettyName() {
    return name.equals(":authority") ? HttpHeaderNames.HOST.toString() : name;
  }

  /**
   * Applies {@code ops} in order. Pseudo-headers other than {@code :authority} are skipped; so is an
   * invalid name or value, and the number of those is returned.
   */
  static int apply(HttpHeaders h, List<HeaderOp> ops) {
    int invalid = 0;
    for (HeaderOp op : ops) {
      String n = op.nettyName();
      if (n.startsWith(":")) {
        continue;
      }
      try {
        switch (op.kind) {
          case SET -> h.set(n, op.value);
          case ADD -> h.add(n, op.value);
          case ADD_IF_ABSENT -> {
            if (!h.contains(n)) {
              h.add(n, op.value);
            }
          }
          case OVERWRITE_IF_EXISTS -> {
            if (h.contains(n)) {
              h.set(n, op.value);
            }
          }
          case APPEND_IF_EXISTS, APPEND_OR_ADD -> {
            List<String> old = h.getAll(n);
            if (!old.isEmpty()) {
              h.set(n, String.join(",", old) + "," + op.value);
            } else if (op.kind == Kind.APPEND_OR_ADD) {
              h.add(n, op.value);
            }
          }
        }
      } catch (IllegalArgumentException e) {
        invalid++;
      }
    }
    return invalid;
  }
}
