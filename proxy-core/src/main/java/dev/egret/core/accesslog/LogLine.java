package dev.egret.core.accesslog;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One access-log line read back for {@code egret logs}: the fields a summary needs, from a line in
 * Envoy's default format, Istio's text format or JSON with Istio's keys (typed or legacy all-string
 * values). The format is recognised per line by its shape: JSON starts with {@code {}; the two text
 * formats start {@code [time] "METHOD PATH PROTOCOL"} and differ in how many fields follow (11 for
 * Envoy's default, 20 for Istio's) and which of them are quoted. Unset values ({@code -},
 * {@code null}) are null, an unknown number is -1.
 *
 * @param attemptCount null when the line does not carry it (neither text format does)
 */
record LogLine(Format format, int status, List<String> flags, String cluster, String upstreamHost,
    long durationMillis, String method, String path, Integer attemptCount) {

  /** How the line was written. */
  enum Format { ENVOY, ISTIO, JSON }

  private static final Pattern TEXT = Pattern.compile("^\\[([^\\]]*)\\] \"([^\"]*)\" (.*)$");

  LogLine {
    flags = List.copyOf(flags);
  }

  /** Parses a line; null when it is in none of the three formats. */
  static LogLine parse(String line) {
    String s = line.strip();
    if (s.startsWith("{")) {
      return json(s);
    }
    Matcher m = TEXT.matcher(s);
    if (!m.matches()) {
      return null;
    }
    String[] request = m.group(2).split(" ", -1);
    String method = request.length > 0 ? unset(request[0]) : null;
    String path = request.length > 1 ? unset(request[1]) : null;
    List<String> t = new ArrayList<>();
    List<Boolean> quoted = new ArrayList<>();
    if (!tokenize(m.group(3), t, quoted)) {
      return null;
    }
    if (t.size() == 11 && quotedAt(quoted, 6, 10) && !quoted.get(0)) {
      return new LogLine(Format.ENVOY, status(t.get(0)), flags(t.get(1)), null, unset(t.get(10)),
          number(t.get(4)), method, path, null);
    }
    if (t.size() == 20 && quoted.get(4) && quotedAt(quoted, 9, 13) && !quoted.get(0)) {
      return new LogLine(Format.ISTIO, status(t.get(0)), flags(t.get(1)), unset(t.get(14)),
          unset(t.get(13)), number(t.get(7)), method, path, null);
    }
    return null;
  }

  private static boolean quotedAt(List<Boolean> quoted, int from, int to) {
    for (int i = from; i <= to; i++) {
      if (!quoted.get(i)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Splits on single spaces; a token starting with {@code "} runs to the next {@code "} that ends
   * the line or precedes a space (Envoy does not escape quotes inside values).
   */
  private static boolean tokenize(String s, List<String> out, List<Boolean> quoted) {
    int i = 0;
    int n = s.length();
    while (i < n) {
      if (s.charAt(i) == '"') {
        int end = i + 1;
        while (true) {
          end = s.indexOf('"', end);
          if (end < 0) {
            return false;
          }
          if (end == n - 1 || s.charAt(end + 1) == ' ') {
            break;
          }
          end++;
        }
        out.add(s.substring(i + 1, end));
        quoted.add(true);
        i = end + 2;
      } else {
        int end = s.indexOf(' ', i);
        if (end < 0) {
          end = n;
        }
        out.add(s.substring(i, end));
        quoted.add(false);
        i = end + 1;
      }
    }
    return true;
  }

  private static LogLine json(String s) {
    JsonObject o;
    try {
      JsonElement e = JsonParser.parseString(s);
      if (!e.isJsonObject()) {
        return null;
      }
      o = e.getAsJsonObject();
    } catch (JsonParseException | IllegalStateException e) {
      return null;
    }
    if (!o.has("response_code") && !o.has("response_flags")) {
      return null;
    }
    String attempts = text(o, "attempt_count");
    if (attempts == null) {
      attempts = text(o, "upstream_request_attempt_count");
    }
    long a = attempts == null ? -1 : number(attempts);
    return new LogLine(Format.JSON, status(text(o, "response_code")),
        flags(text(o, "response_flags")), text(o, "upstream_cluster"), text(o, "upstream_host"),
        number(text(o, "duration")), text(o, "method"), text(o, "path"),
        a < 0 ? null : (int) Math.min(a, Integer.MAX_VALUE));
  }

  private static String text(JsonObject o, String key) {
    JsonElement e = o.get(key);
    if (e == null || e.isJsonNull() || !e.isJsonPrimitive()) {
      return null;
    }
    return unset(e.getAsString());
  }

  private static String unset(String v) {
    return v == null || v.isEmpty() || v.equals("-") ? null : v;
  }

  private static int status(String v) {
    long n = number(v);
    return n < 0 || n > 999 ? 0 : (int) n;
  }

  /** A non-negative integer, or -1 (integral JSON numbers may be written as {@code 12.0}). */
  private static long number(String v) {
    if (v == null) {
      return -1;
    }
    String s = v.endsWith(".0") ? v.substring(0, v.length() - 2) : v;
    try {
      long n = Long.parseLong(s);
      return n < 0 ? -1 : n;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static List<String> flags(String v) {
    if (v == null || v.equals("-")) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (String f : v.split(",")) {
      if (!f.isBlank()) {
        out.add(f.strip());
      }
    }
    return out;
  }
}
