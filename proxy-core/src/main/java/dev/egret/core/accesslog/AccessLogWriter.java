package dev.egret.core.accesslog;

import static java.util.Objects.requireNonNull;

import dev.egret.core.stats.StatCounter;
import dev.egret.core.stream.StreamInfo;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Writes access-log lines off the event loop. {@link #enqueue} puts {@code (format, sink, info)} on a
 * bounded queue and returns at once; when the queue is full the entry is dropped and the
 * {@code access_log.dropped} counter passed in is incremented, so a slow disk never stalls traffic.
 * One daemon thread takes entries, formats them and writes them to their sink, flushing the sinks it
 * wrote to whenever the queue runs empty. An entry whose formatting or write fails is lost and
 * counted in the same counter; the thread carries on.
 *
 * <p>The writer also owns the sinks: {@link #file} hands out one shared sink per path (two loggers on
 * the same file write through one stream), {@code /dev/stdout} and {@code /dev/stderr} map to the
 * process streams. {@link #close()} writes what is queued (waiting at most the close timeout), stops
 * the thread and closes the files.
 *
 * <p>{@link #checkOnly} makes a writer for checking a configuration ({@code egret validate}): it starts
 * no thread and opens no file; {@link #file} only checks that the file could be opened for append
 * (its directory exists, and it is writable) and fails as opening it would.
 */
public final class AccessLogWriter implements AutoCloseable {
  /** Default queue capacity, in entries. */
  public static final int DEFAULT_CAPACITY = 16384;

  private static final Entry STOP = new Entry(null, null, null);

  private record Entry(AccessLogFormat format, AccessLogSink sink, StreamInfo info) {}

  private final ArrayBlockingQueue<Entry> queue;
  private final StatCounter dropped;
  private final Duration closeTimeout;
  private final AccessLogSink stdout;
  private final AccessLogSink stderr;
  private final Map<Path, AccessLogSink> files = new ConcurrentHashMap<>();
  private final Thread thread; // null when check-only
  private volatile boolean closed;

  /** A check-only sink: never written, since a check-only writer drops every entry. */
  private static final AccessLogSink DISCARD = new AccessLogSink() {
    @Override
    public void write(CharSequence line) {}

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };

  /** A writer on the process's stdout/stderr with the default capacity. */
  public AccessLogWriter(StatCounter dropped) {
    this(DEFAULT_CAPACITY, dropped, new FileOutputStream(FileDescriptor.out),
        new FileOutputStream(FileDescriptor.err), Duration.ofSeconds(5));
  }

  /**
   * @param capacity     queue capacity in entries
   * @param dropped      incremented for each entry dropped (queue full or writer closed)
   * @param stdout       the stream behind {@code /dev/stdout} and {@code StdoutAccessLog}
   * @param stderr       the stream behind {@code /dev/stderr} and {@code StderrAccessLog}
   * @param closeTimeout how long {@link #close()} waits for the queue to drain
   */
  public AccessLogWriter(int capacity, StatCounter dropped, OutputStream stdout,
      OutputStream stderr, Duration closeTimeout) {
    this(capacity, dropped, stdout, stderr, closeTimeout, false);
  }

  /**
   * A writer that starts no thread, opens no file and drops every entry (counting it): for compiling
   * a configuration only to check it. Its {@link #file} checks the path instead of opening it.
   */
  public static AccessLogWriter checkOnly(StatCounter dropped) {
    return new AccessLogWriter(1, dropped, OutputStream.nullOutputStream(), OutputStream.nullOutputStream(),
        Duration.ZERO, true);
  }

  private AccessLogWriter(int capacity, StatCounter dropped, OutputStream stdout,
      OutputStream stderr, Duration closeTimeout, boolean checkOnly) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be positive: " + capacity);
    }
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.dropped = requireNonNull(dropped, "dropped");
    this.stdout = new StreamSink("/dev/stdout", requireNonNull(stdout, "stdout"), false);
    this.stderr = new StreamSink("/dev/stderr", requireNonNull(stderr, "stderr"), false);
    this.closeTimeout = requireNonNull(closeTimeout, "closeTimeout");
    if (checkOnly) {
      this.thread = null;
      this.closed = true; // enqueue drops
      return;
    }
    this.thread = new Thread(this::run, "egret-access-log");
    this.thread.setDaemon(true);
    this.thread.start();
  }

  /**
   * Queues one entry; never blocks. Safe from any thread.
   *
   * @return false when the entry was dropped (queue full or writer closed)
   */
  public boolean enqueue(AccessLogFormat format, AccessLogSink sink, StreamInfo info) {
    Entry e = new Entry(requireNonNull(format, "format"), requireNonNull(sink, "sink"),
        requireNonNull(info, "info"));
    if (closed || !queue.offer(e)) {
      dropped.inc();
      return false;
    }
    return true;
  }

  public AccessLogSink stdout() {
    return stdout;
  }

  public AccessLogSink stderr() {
    return stderr;
  }

  /**
   * The shared sink for {@code path}, opening the file for append (creating it) on first use.
   * {@code /dev/stdout} and {@code /dev/stderr} are the process streams. A {@linkplain #checkOnly
   * check-only} writer opens nothing and throws what opening would most likely throw.
   */
  public AccessLogSink file(String path) throws IOException {
    requireNonNull(path, "path");
    if (path.equals("/dev/stdout")) {
      return stdout;
    }
    if (path.equals("/dev/stderr")) {
      return stderr;
    }
    Path p = Path.of(path).toAbsolutePath().normalize();
    if (thread == null) {
      checkAppendable(p);
      return DISCARD;
    }
    try {
      return files.computeIfAbsent(p, k -> {
        try {
          return new StreamSink(k.toString(), Files.newOutputStream(k, StandardOpenOption.CREATE,
              StandardOpenOption.WRITE, StandardOpenOption.APPEND), true);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  /** Throws as {@code newOutputStream(p, CREATE, APPEND)} would, without creating anything. */
  private static void checkAppendable(Path p) throws IOException {
    Path dir = p.getParent();
    if (dir == null || !Files.isDirectory(dir)) {
      throw new NoSuchFileException(p.toString());
    }
    if (Files.isDirectory(p)) {
      throw new FileSystemException(p.toString(), null, "Is a directory");
    }
    if (Files.exists(p) ? !Files.isWritable(p) : !Files.isWritable(dir)) {
      throw new AccessDeniedException(p.toString());
    }
  }

  /** Entries waiting to be written. */
  public int queued() {
    return queue.size();
  }

  /**
   * Stops accepting entries, writes what is queued (waiting at most the close timeout), stops the
   * thread and closes the files. Idempotent.
   */
  @Override
  public void close() {
    if (thread == null || closed) {
      return;
    }
    closed = true;
    long deadline = System.nanoTime() + closeTimeout.toNanos();
    try {
      if (queue.offer(STOP, closeTimeout.toNanos(), TimeUnit.NANOSECONDS)) {
        thread.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
      }
      if (thread.isAlive()) {
        thread.interrupt();
        thread.join(1000);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (AccessLogSink s : files.values()) {
      quietly(s, true);
    }
    quietly(stdout, false);
    quietly(stderr, false);
  }

  private void run() {
    StringBuilder line = new StringBuilder(512);
    List<AccessLogSink> dirty = new ArrayList<>(4);
    while (true) {
      Entry e = queue.poll();
      if (e == null) {
        flushAll(dirty);
        try {
          e = queue.take();
        } catch (InterruptedException ie) {
          break;
        }
      }
      if (e == STOP) {
        break;
      }
      line.setLength(0);
      try {
        e.format().formatTo(e.info(), line);
        e.sink().write(line);
        if (!dirty.contains(e.sink())) {
          dirty.add(e.sink());
        }
      } catch (IOException | RuntimeException ex) {
        dropped.inc();
      }
    }
    flushAll(dirty);
  }

  private static void flushAll(List<AccessLogSink> dirty) {
    for (AccessLogSink s : dirty) {
      try {
        s.flush();
      } catch (IOException ex) {
        // nothing to do: the line is lost; the next flush tries again
      }
    }
    dirty.clear();
  }

  private static void quietly(AccessLogSink s, boolean close) {
    try {
      if (close) {
        s.close();
      } else {
        s.flush();
      }
    } catch (IOException e) {
      // closing at shutdown; nothing else to do
    }
  }
}
