package dev.egret.core.accesslog;

import static java.util.Objects.requireNonNull;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;

/**
 * A sink over an {@link OutputStream} (a file opened for append, stdout, stderr), UTF-8 encoded and
 * buffered; bytes reach the stream on {@link #flush()}, which the writer calls when its queue drains.
 */
public final class StreamSink implements AccessLogSink {
  private final String name;
  private final BufferedWriter out;
  private final boolean closeStream;

  /**
   * @param name        for messages ({@code /dev/stdout}, the file path)
   * @param stream      where bytes go
   * @param closeStream whether {@link #close()} closes {@code stream} (false for stdout/stderr)
   */
  public StreamSink(String name, OutputStream stream, boolean closeStream) {
    this.name = requireNonNull(name, "name");
    this.out = new BufferedWriter(new OutputStreamWriter(requireNonNull(stream, "stream"),
        StandardCharsets.UTF_8), 64 * 1024);
    this.closeStream = closeStream;
  }

  @Override
  public void write(CharSequence line) throws IOException {
    out.append(line);
  }

  @Override
  public void flush() throws IOException {
    out.flush();
  }

  @Override
  public void close() throws IOException {
    if (closeStream) {
      out.close();
    } else {
      out.flush();
    }
  }

  @Override
  public String toString() {
    return "StreamSink[" + name + "]";
  }
}
