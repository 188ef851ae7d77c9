package dev.egret.core.accesslog;

import dev.egret.core.stream.StreamInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The most recent finished streams, kept in memory for the admin server's {@code /access_log}: a
 * fixed ring of {@link AccessLogEntry} summaries (never the {@link StreamInfo} itself), so memory is
 * bounded by the capacity whatever the traffic.
 *
 * <p>{@link #record} runs on the event loops as an {@link AccessLog} sink: it copies the summary and
 * stores it with one atomic increment and one array write, without locks. {@link #newestFirst} may
 * run on any thread; an entry being overwritten while it is read is skipped, so a snapshot holds at
 * most {@link #capacity()} entries, newest (last recorded) first.
 */
public final class RecentAccessLog implements AccessLog {
  /** Entries kept when nothing else is configured. */
  public static final int DEFAULT_CAPACITY = 1000;

  /** System property that sets the capacity for {@link #fromSystemProperty()}; 0 disables. */
  public static final String CAPACITY_PROPERTY = "egret.accessLog.recentEntries";

  /** A ring that keeps nothing: for callers that have no admin server to feed. */
  public static final RecentAccessLog DISABLED = new RecentAccessLog(0);

  private record Slot(long sequence, AccessLogEntry entry) {}

  private final int capacity;
  private final AtomicReferenceArray<Slot> slots;
  private final AtomicLong next = new AtomicLong();

  /** A ring keeping the last {@code capacity} entries (0 keeps none). */
  public RecentAccessLog(int capacity) {
    if (capacity < 0) {
      throw new IllegalArgumentException("capacity must be >= 0: " + capacity);
    }
    this.capacity = capacity;
    this.slots = new AtomicReferenceArray<>(capacity);
  }

  /**
   * A ring sized by the {@value #CAPACITY_PROPERTY} system property, {@value #DEFAULT_CAPACITY}
   * entries when it is unset.
   *
   * @throws IllegalArgumentException when the property is not a non-negative integer
   */
  public static RecentAccessLog fromSystemProperty() {
    String v = System.getProperty(CAPACITY_PROPERTY);
    if (v == null || v.isBlank()) {
      return new RecentAccessLog(DEFAULT_CAPACITY);
    }
    try {
      return new RecentAccessLog(Integer.parseInt(v.trim()));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(CAPACITY_PROPERTY + " must be an integer, got '" + v + "'");
    }
  }

  public int capacity() {
    return capacity;
  }

  /** How many streams were recorded since the start (including those since overwritten). */
  public long recorded() {
    return next.get();
  }

  /** Keeps a summary of a finished stream, replacing the oldest when full. */
  public void record(StreamInfo info) {
    if (capacity == 0) {
      return;
    }
    AccessLogEntry entry = AccessLogEntry.of(info);
    long seq = next.getAndIncrement();
    slots.set((int) (seq % capacity), new Slot(seq, entry));
  }

  @Override
  public void log(StreamInfo info) {
    record(info);
  }

  /** The entries kept now, newest first. */
  public List<AccessLogEntry> newestFirst() {
    long end = next.get();
    long start = Math.max(0, end - capacity);
    List<AccessLogEntry> out = new ArrayList<>((int) (end - start));
    for (long s = end - 1; s >= start; s--) {
      Slot slot = slots.get((int) (s % capacity));
      if (slot != null && slot.sequence() == s) {
        out.add(slot.entry());
      }
    }
    return out;
  }
}
