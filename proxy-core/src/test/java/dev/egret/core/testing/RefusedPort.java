package dev.egret.core.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * A port on 127.0.0.1 where connections are refused, for as long as this object is open. The port is
 * held by a bound socket that never listens: a port merely closed after use can be chosen as the
 * connecting side's own ephemeral port, and a TCP self-connect then "succeeds" instead of failing.
 */
public final class RefusedPort implements AutoCloseable {
  private final Socket holder = new Socket();

  public RefusedPort() {
    try {
      holder.bind(new InetSocketAddress("127.0.0.1", 0));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public int port() {
    return holder.getLocalPort();
  }

  @Override
  public void close() throws IOException {
    holder.close();
  }
}
