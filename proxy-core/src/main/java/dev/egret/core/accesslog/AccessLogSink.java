package dev.egret.core.accesslog;

import java.io.IOException;

/**
 * Where formatted lines go (stdout, stderr, a file). Called only from the {@link AccessLogWriter}
 * thread, so implementations need no locking; the writer calls {@link #flush} whenever its queue
 * drains and {@link #close} when it stops.
 */
public interface AccessLogSink {
  /** Writes one already formatted line (it carries its own newline, if any). */
  void write(CharSequence line) throws IOException;

  void flush() throws IOException;

  void close() throws IOException;
}
