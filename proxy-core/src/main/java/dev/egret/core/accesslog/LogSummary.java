package dev.egret.core.accesslog;

import static java.util.Objects.requireNonNull;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code egret logs FILE|-}: reads an access log and summarises it for an operator, replacing the
 * {@code grep | sort | uniq -c} done by hand. Each line may be in Envoy's default format, Istio's
 * text format or JSON with Istio's keys (recognised per line, see {@link LogLine}); blank lines are
 * skipped and other lines are counted as not recognised.
 *
 * <p>The summary lists: lines read and how many were in each format; counts by status class
 * ({@code 2xx}…, {@code 0} for no response), by response flag ({@code -} for none), by upstream
 * cluster (Envoy's default format carries none: {@code -}) and by upstream host, each largest first
 * (ties by name); the 10 slowest requests (duration, method, path, status, flags; ties in log order);
 * and retries: a request counts as retried when its {@code attempt_count} is above 1 or, on lines
 * without an attempt count (both text formats, Istio's JSON), when it carries {@code URX}; retry
 * attempts are summed from attempt counts only.
 */
public final class LogSummary {
  /** How many of the slowest requests are listed. */
  public static final int SLOWEST = 10;

  private int lines;
  private int unrecognised;
  private final Map<LogLine.Format, Integer> formats = new EnumMap<>(LogLine.Format.class);
  private final Map<String, Integer> statusClasses = new HashMap<>();
  private final Map<String, Integer> flags = new HashMap<>();
  private final Map<String, Integer> clusters = new HashMap<>();
  private final Map<String, Integer> hosts = new HashMap<>();
  private final List<LogLine> timed = new ArrayList<>();
  private int retriedByAttempts;
  private int retriedByUrx;
  private long retryAttempts;

  private LogSummary() {}

  /** Runs the command on {@code file}, or standard input for {@code -}; returns the exit status. */
  public static int run(String file, InputStream stdin, PrintStream out, PrintStream err) {
    requireNonNull(file, "file");
    try {
      LogSummary s;
      if (file.equals("-")) {
        s = read(new BufferedReader(new InputStreamReader(stdin, StandardCharsets.UTF_8)));
      } else {
        try (BufferedReader r = Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8)) {
          s = read(r);
        }
      }
      out.print(s.render());
      return 0;
    } catch (NoSuchFileException e) {
      err.println("egret logs: no such file: " + file);
      return 1;
    } catch (IOException | java.io.UncheckedIOException e) {
      err.println("egret logs: cannot read " + file + ": " + e.getMessage());
      return 1;
    }
  }

  /** Reads every line of {@code in}. */
  public static LogSummary read(BufferedReader in) throws IOException {
    LogSummary s = new LogSummary();
    String line;
    while ((line = in.readLine()) != null) {
      s.add(line);
    }
    return s;
  }

  private void add(String raw) {
    if (raw.isBlank()) {
      return;
    }
    lines++;
    LogLine l = LogLine.parse(raw);
    if (l == null) {
      unrecognised++;
      return;
    }
    formats.merge(l.format(), 1, Integer::sum);
    statusClasses.merge(statusClass(l.status()), 1, Integer::sum);
    if (l.flags().isEmpty()) {
      flags.merge("-", 1, Integer::sum);
    }
    for (String f : l.flags()) {
      flags.merge(f, 1, Integer::sum);
    }
    clusters.merge(l.cluster() == null ? "-" : l.cluster(), 1, Integer::sum);
    hosts.merge(l.upstreamHost() == null ? "-" : l.upstreamHost(), 1, Integer::sum);
    if (l.durationMillis() >= 0) {
      timed.add(l);
    }
    if (l.attemptCount() != null) {
      if (l.attemptCount() > 1) {
        retriedByAttempts++;
        retryAttempts += l.attemptCount() - 1;
      }
    } else if (l.flags().contains("URX")) {
      retriedByUrx++;
    }
  }

  private static String statusClass(int status) {
    if (status == 0) {
      return "0";
    }
    return status >= 100 && status < 600 ? (status / 100) + "xx" : "other";
  }

  /** The summary as printed by {@code egret logs}. */
  public String render() {
    StringBuilder sb = new StringBuilder();
    int parsed = lines - unrecognised;
    sb.append("lines: ").append(lines).append(" (");
    sb.append("envoy ").append(formats.getOrDefault(LogLine.Format.ENVOY, 0));
    sb.append(", istio ").append(formats.getOrDefault(LogLine.Format.ISTIO, 0));
    sb.append(", json ").append(formats.getOrDefault(LogLine.Format.JSON, 0));
    sb.append(", not recognised ").append(unrecognised).append(")\n");
    section(sb, "status classes", statusClasses);
    section(sb, "response flags", flags);
    section(sb, "clusters", clusters);
    section(sb, "upstream hosts", hosts);
    slowest(sb);
    sb.append("\nretries:\n");
    table(sb, List.of(
        Map.entry("retried requests", (retriedByAttempts + retriedByUrx) + "  (attempt_count > 1: "
            + retriedByAttempts + ", URX without attempt_count: " + retriedByUrx + ")"),
        Map.entry("retry attempts", retryAttempts + "  (from attempt_count)")));
    if (parsed == 0) {
      sb.append("\nno line was recognised as Envoy default, Istio text or JSON access-log format\n");
    }
    return sb.toString();
  }

  private static void section(StringBuilder sb, String title, Map<String, Integer> counts) {
    sb.append('\n').append(title).append(":\n");
    List<Map.Entry<String, Integer>> sorted = new ArrayList<>(counts.entrySet());
    sorted.sort(Map.Entry.<String, Integer>comparingByValue().reversed()
        .thenComparing(Map.Entry.comparingByKey()));
    List<Map.Entry<String, String>> rows = new ArrayList<>();
    for (Map.Entry<String, Integer> e : sorted) {
      rows.add(Map.entry(e.getKey(), Integer.toString(e.getValue())));
    }
    table(sb, rows);
  }

  private static void table(StringBuilder sb, List<Map.Entry<String, String>> rows) {
    if (rows.isEmpty()) {
      sb.append("  (none)\n");
      return;
    }
    int width = 0;
    for (Map.Entry<String, String> r : rows) {
      width = Math.max(width, r.getKey().length());
    }
    for (Map.Entry<String, String> r : rows) {
      sb.append("  ").append(r.getKey()).append(" ".repeat(width - r.getKey().length() + 2))
          .append(r.getValue()).append('\n');
    }
  }

  private void slowest(StringBuilder sb) {
    sb.append("\nslowest requests:\n");
    List<LogLine> top = new ArrayList<>(timed);
    top.sort(Comparator.comparingLong(LogLine::durationMillis).reversed()); // stable: log order
    if (top.size() > SLOWEST) {
      top = top.subList(0, SLOWEST);
    }
    if (top.isEmpty()) {
      sb.append("  (none)\n");
      return;
    }
    int width = Long.toString(top.get(0).durationMillis()).length();
    for (LogLine l : top) {
      String d = Long.toString(l.durationMillis());
      sb.append("  ").append(" ".repeat(width - d.length())).append(d).append(" ms  ")
          .append(orDash(l.method())).append(' ').append(orDash(l.path())).append("  ")
          .append(l.status()).append("  ")
          .append(l.flags().isEmpty() ? "-" : String.join(",", l.flags())).append('\n');
    }
  }

  private static String orDash(String s) {
    return s == null ? "-" : s;
  }
}
