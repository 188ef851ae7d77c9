package dev.egret.core.accesslog;

import static java.util.Objects.requireNonNull;

import dev.egret.core.stream.ResponseFlag;
import dev.egret.core.stream.StreamInfo;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/** The small operators that read one {@link StreamInfo} field. */
final class InfoOperators {
  private InfoOperators() {}

  /** A string field; null or empty is unset. */
  record Text(Function<StreamInfo, String> getter) implements FormatOperator {
    Text {
      requireNonNull(getter, "getter");
    }

    @Override
    public boolean append(StreamInfo info, StringBuilder out) {
      String v = getter.apply(info);
      if (v == null || v.isEmpty()) {
        return false;
      }
      out.append(v);
      return true;
    }
  }

  /** A constant computed at compile time ({@code %HOSTNAME%}); null is unset. */
  record Constant(String value) implements FormatOperator {
    @Override
    public boolean append(StreamInfo info, StringBuilder out) {
      if (value == null || value.isEmpty()) {
        return false;
      }
      out.append(value);
      return true;
    }
  }

  /** An integer field, a JSON number in typed JSON; negative values are unset when asked. */
  record Numeric(ToLongFunction<StreamInfo> getter, boolean negativeIsUnset)
      implements FormatOperator {
    Numeric {
      requireNonNull(getter, "getter");
    }

    @Override
    public boolean append(StreamInfo info, StringBuilder out) {
      long v = getter.applyAsLong(info);
      if (v < 0 && negativeIsUnset) {
        return false;
      }
      out.append(v);
      return true;
    }

    @Override
    public boolean appendJson(StreamInfo info, StringBuilder out) {
      return append(info, out);
    }
  }

  /** How an address is printed. */
  enum AddressPart { FULL, NO_PORT, PORT }

  /** A socket-address field ({@code ip:port}, {@code [v6]:port}, bare ip, or the port number). */
  record SocketAddress(Function<StreamInfo, InetSocketAddress> getter, AddressPart part)
      implements FormatOperator {
    SocketAddress {
      requireNonNull(getter, "getter");
      requireNonNull(part, "part");
    }

    @Override
    public boolean append(StreamInfo info, StringBuilder out) {
      InetSocketAddress a = getter.apply(info);
      if (a == null) {
        return false;
      }
      switch (part) {
        case FULL -> Addresses.appendIpPort(a, out);
        case NO_PORT -> Addresses.appendIp(a, out);
        default -> out.append(a.getPort());
      }
      return true;
    }

    @Override
    public boolean appendJson(StreamInfo info, StringBuilder out) {
      return part == AddressPart.PORT ? append(info, out) : FormatOperator.super.appendJson(info, out);
    }
  }

  /** An address kept as {@code ip:port} text in StreamInfo (upstream host / local address). */
  record AddressText(Function<StreamInfo, String> getter, AddressPart part)
      implements FormatOperator {
    AddressText {
      requireNonNull(getter, "getter");
      requireNonNull(part, "part");
    }

    @Override
    public boolean append(StreamInfo info, StringBuilder out) {
      String a = getter.apply(info);
      if (a == null || a.isEmpty()) {
        return false;
      }
      return switch (part) {
        case FULL -> {
          out.append(a);
          yield true;
        }
        case NO_PORT -> Addresses.appendHostOfText(a, out);
        default -> Addresses.appendPortOfText(a, out);
      };
    }

    @Override
    public boolean appendJson(StreamInfo info, StringBuilder out) {
      return part == AddressPart.PORT ? append(info, out) : FormatOperator.super.appendJson(info, out);
    }
  }

  /** {@code %RESPONSE_FLAGS%} / {@code _LONG}: flags in the order set, joined by ','; none is "-". */
  record Flags(boolean longForm) implements FormatOperator {
    @Override
    public boolean append(StreamInfo info, StringBuilder out) {
      List<ResponseFlag> flags = info.flags();
      if (flags.isEmpty()) {
        out.append('-');
        return true;
      }
      for (int i = 0; i < flags.size(); i++) {
        if (i > 0) {
          out.append(',');
        }
        out.append(longForm ? flags.get(i).longName() : flags.get(i).shortName());
      }
      return true;
    }
  }
}
