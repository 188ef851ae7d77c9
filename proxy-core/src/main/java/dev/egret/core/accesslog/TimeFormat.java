package dev.egret.core.accesslog;

import dev.egret.core.config.ConfigPath;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * A compiled strftime-style pattern for {@code %START_TIME(...)%}, rendered in UTC as Envoy does.
 * Supported: {@code %Y %y %C %m %d %e %j %H %I %k %l %M %S %p %a %A %b %h %B %u %w %z %Ez %Z %F %T %D
 * %R %n %t %%}, {@code %s} (epoch seconds), {@code %f} (nine fraction digits), {@code %1f}…{@code %9f},
 * and absl's {@code %E3S}-style seconds with N fraction digits ({@code %E*S}: all nine). Any other
 * specifier is a compile error. Egret's clock has millisecond resolution, so digits past the third
 * are zero.
 */
final class TimeFormat {
  private static final String[] DAYS = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
      "Saturday", "Sunday"};
  private static final String[] MONTHS = {"January", "February", "March", "April", "May", "June",
      "July", "August", "September", "October", "November", "December"};

  /** One piece: a literal (spec 0) or a specifier char with an optional digit count. */
  private record Piece(char spec, int digits, String literal) {}

  private final Piece[] pieces;

  private TimeFormat(List<Piece> pieces) {
    this.pieces = pieces.toArray(new Piece[0]);
  }

  /** Envoy's default: {@code 2025-06-30T02:48:20.634Z}. */
  static final String ISO_MILLIS = "%Y-%m-%dT%H:%M:%E3SZ";

  static TimeFormat compile(String pattern, ConfigPath at) {
    List<Piece> out = new ArrayList<>();
    StringBuilder lit = new StringBuilder();
    int n = pattern.length();
    for (int i = 0; i < n; i++) {
      char c = pattern.charAt(i);
      if (c != '%') {
        lit.append(c);
        continue;
      }
      if (i + 1 >= n) {
        at.error("START_TIME format ends with a lone '%': \"" + pattern + "\"");
        return null;
      }
      char s = pattern.charAt(++i);
      int digits = -1;
      if (s >= '1' && s <= '9' && i + 1 < n && pattern.charAt(i + 1) == 'f') {
        digits = s - '0';
        s = 'f';
        i++;
      } else if (s == 'E' && i + 2 < n && pattern.charAt(i + 2) == 'S'
          && (Character.isDigit(pattern.charAt(i + 1)) || pattern.charAt(i + 1) == '*')) {
        char d = pattern.charAt(i + 1);
        digits = d == '*' ? 9 : Math.min(9, d - '0');
        s = 'S';
        i += 2;
      } else if (s == 'E' && i + 1 < n && pattern.charAt(i + 1) == 'z') {
        lit.append("+00:00");
        i++;
        continue;
      } else if (s == 'f') {
        digits = 9;
      }
      switch (s) {
        case '%' -> lit.append('%');
        case 'n' -> lit.append('\n');
        case 't' -> lit.append('\t');
        case 'Z' -> lit.append("UTC");
        case 'z' -> lit.append("+0000");
        case 'Y', 'y', 'C', 'm', 'd', 'e', 'j', 'H', 'I', 'k', 'l', 'M', 'S', 'p', 'a', 'A', 'b',
            'h', 'B', 'u', 'w', 's', 'f', 'F', 'T', 'D', 'R' -> {
          if (lit.length() > 0) {
            out.add(new Piece('\0', 0, lit.toString()));
            lit.setLength(0);
          }
          out.add(new Piece(s, digits, null));
        }
        default -> {
          at.error("START_TIME format: unsupported specifier '%" + s + "' in \"" + pattern + "\"");
          return null;
        }
      }
    }
    if (lit.length() > 0) {
      out.add(new Piece('\0', 0, lit.toString()));
    }
    return new TimeFormat(out);
  }

  void append(long epochMillis, StringBuilder out) {
    long seconds = Math.floorDiv(epochMillis, 1000L);
    int millis = (int) Math.floorMod(epochMillis, 1000L);
    LocalDateTime t = LocalDateTime.ofEpochSecond(seconds, millis * 1_000_000, ZoneOffset.UTC);
    for (Piece p : pieces) {
      if (p.spec == '\0') {
        out.append(p.literal);
        continue;
      }
      switch (p.spec) {
        case 'Y' -> out.append(t.getYear());
        case 'y' -> pad2(out, t.getYear() % 100);
        case 'C' -> pad2(out, t.getYear() / 100);
        case 'm' -> pad2(out, t.getMonthValue());
        case 'd' -> pad2(out, t.getDayOfMonth());
        case 'e' -> space2(out, t.getDayOfMonth());
        case 'j' -> {
          int d = t.getDayOfYear();
          out.append(d < 100 ? (d < 10 ? "00" : "0") : "").append(d);
        }
        case 'H' -> pad2(out, t.getHour());
        case 'k' -> space2(out, t.getHour());
        case 'I' -> pad2(out, hour12(t.getHour()));
        case 'l' -> space2(out, hour12(t.getHour()));
        case 'M' -> pad2(out, t.getMinute());
        case 'S' -> {
          pad2(out, t.getSecond());
          if (p.digits > 0) {
            out.append('.');
            fraction(out, millis, p.digits);
          }
        }
        case 'p' -> out.append(t.getHour() < 12 ? "AM" : "PM");
        case 'a' -> out.append(DAYS[t.getDayOfWeek().ordinal()], 0, 3);
        case 'A' -> out.append(DAYS[t.getDayOfWeek().ordinal()]);
        case 'b', 'h' -> out.append(MONTHS[t.getMonthValue() - 1], 0, 3);
        case 'B' -> out.append(MONTHS[t.getMonthValue() - 1]);
        case 'u' -> out.append(t.getDayOfWeek().getValue());
        case 'w' -> out.append(t.getDayOfWeek().getValue() % 7);
        case 's' -> out.append(seconds);
        case 'f' -> fraction(out, millis, p.digits);
        case 'F' -> {
          out.append(t.getYear()).append('-');
          pad2(out, t.getMonthValue());
          out.append('-');
          pad2(out, t.getDayOfMonth());
        }
        case 'T' -> {
          pad2(out, t.getHour());
          out.append(':');
          pad2(out, t.getMinute());
          out.append(':');
          pad2(out, t.getSecond());
        }
        case 'R' -> {
          pad2(out, t.getHour());
          out.append(':');
          pad2(out, t.getMinute());
        }
        case 'D' -> {
          pad2(out, t.getMonthValue());
          out.append('/');
          pad2(out, t.getDayOfMonth());
          out.append('/');
          pad2(out, t.getYear() % 100);
        }
        default -> throw new IllegalStateException("unreachable: " + p.spec);
      }
    }
  }

  private static int hour12(int h) {
    int r = h % 12;
    return r == 0 ? 12 : r;
  }

  private static void pad2(StringBuilder out, int v) {
    if (v < 10) {
      out.append('0');
    }
    out.append(v);
  }

  private static void space2(StringBuilder out, int v) {
    if (v < 10) {
      out.append(' ');
    }
    out.append(v);
  }

  /** {@code digits} fraction digits of a time whose sub-second part is {@code millis}. */
  private static void fraction(StringBuilder out, int millis, int digits) {
    out.append((char) ('0' + millis / 100));
    if (digits >= 2) {
      out.append((char) ('0' + millis / 10 % 10));
    }
    if (digits >= 3) {
      out.append((char) ('0' + millis % 10));
    }
    for (int i = 3; i < digits; i++) {
      out.append('0');
    }
  }
}
