package dev.egret.core.accesslog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.egret.core.stats.StatCounter;
import dev.egret.core.stats.Stats;
import dev.egret.core.stream.StreamInfo;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bounded queue, the writer thread, drops, flushing and file sinks. */
class AccessLogWriterTest {
  private static final AccessLogFormat CODE = Infos.text("%RESPONSE_CODE%\n");

  private static StreamInfo code(int c) {
    StreamInfo info = Infos.at("2025-06-30T02:48:20.634Z", 1);
    info.setResponseCode(c);
    return info;
  }

  private static AccessLogWriter writer(int capacity, StatCounter dropped) {
    return new AccessLogWriter(capacity, dropped, new ByteArrayOutputStream(),
        new ByteArrayOutputStream(), Duration.ofSeconds(5));
  }

  private static void await(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      LockSupport.parkNanos(1_000_000);
    }
  }

  /** A sink whose first write blocks until released. */
  private static final class BlockingSink implements AccessLogSink {
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    final List<String> lines = new CopyOnWriteArrayList<>();

    @Override
    public void write(CharSequence line) throws IOException {
      entered.countDown();
      try {
        if (!release.await(10, TimeUnit.SECONDS)) {
          throw new IOException("never released");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException(e);
      }
      lines.add(line.toString());
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  }

  @Test
  void fullQueueDropsEntriesAndCountsThemWithoutBlocking() throws Exception {
    Stats stats = new Stats();
    StatCounter dropped = stats.serverCounter("access_log.dropped");
    BlockingSink sink = new BlockingSink();
    try (AccessLogWriter w = writer(2, dropped)) {
      assertThat(w.enqueue(CODE, sink, code(1))).isTrue();
      assertThat(sink.entered.await(10, TimeUnit.SECONDS)).isTrue(); // thread holds entry 1
      assertThat(w.enqueue(CODE, sink, code(2))).isTrue();
      assertThat(w.enqueue(CODE, sink, code(3))).isTrue();
      for (int i = 4; i <= 6; i++) {
        assertThat(w.enqueue(CODE, sink, code(i))).isFalse();
      }
      assertThat(dropped.value()).isEqualTo(3);
      assertThat(stats.scrape()).contains("envoy_access_log_dropped 3");
      sink.release.countDown();
      await(() -> sink.lines.size() == 3, "three lines");
    }
    assertThat(sink.lines).containsExactly("1\n", "2\n", "3\n");
    assertThat(dropped.value()).isEqualTo(3);
  }

  @Test
  void entriesAfterCloseAreDropped() {
    StatCounter dropped = new StatCounter();
    AccessLogWriter w = writer(4, dropped);
    w.close();
    assertThat(w.enqueue(CODE, w.stdout(), code(200))).isFalse();
    assertThat(dropped.value()).isEqualTo(1);
  }

  @Test
  void fileLinesAreFlushedWhenTheQueueDrains(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("access.log");
    try (AccessLogWriter w = writer(16, new StatCounter())) {
      AccessLogSink sink = w.file(file.toString());
      assertThat(w.file(file.toString())).isSameAs(sink);
      w.enqueue(CODE, sink, code(200));
      w.enqueue(CODE, sink, code(503));
      await(() -> read(file).equals("200\n503\n"), "flushed lines");
    }
  }

  @Test
  void fileIsOpenedForAppendAndCloseDrainsTheQueue(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("access.log");
    Files.writeString(file, "old\n");
    AccessLogWriter w = writer(1024, new StatCounter());
    AccessLogSink sink = w.file(file.toString());
    for (int i = 0; i < 500; i++) {
      w.enqueue(CODE, sink, code(i));
    }
    w.close();
    List<String> lines = Files.readAllLines(file);
    assertThat(lines).hasSize(501);
    assertThat(lines.get(0)).isEqualTo("old");
    assertThat(lines.get(500)).isEqualTo("499");
  }

  @Test
  void devStdoutPathIsTheStdoutStream() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    AccessLogWriter w = new AccessLogWriter(8, new StatCounter(), out, new ByteArrayOutputStream(),
        Duration.ofSeconds(5));
    assertThat(w.file("/dev/stdout")).isSameAs(w.stdout());
    w.enqueue(CODE, w.file("/dev/stdout"), code(204));
    w.close();
    assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("204\n");
  }

  private static String read(Path p) {
    try {
      return Files.exists(p) ? Files.readString(p) : "";
    } catch (IOException e) {
      return "";
    }
  }
}
