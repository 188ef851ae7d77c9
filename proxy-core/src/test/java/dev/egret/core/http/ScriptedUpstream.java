package dev.egret.core.http;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A raw upstream for tests: accepts connections on 127.0.0.1 and hands each accepted socket to the
 * test, which then reads the request bytes and writes whatever response bytes it wants.
 */
final class ScriptedUpstream implements AutoCloseable {
  private final ServerSocket server;
  private final BlockingQueue<Socket> accepted = new LinkedBlockingQueue<>();
  private final Thread acceptor;

  ScriptedUpstream() throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    acceptor = new Thread(this::acceptLoop, "scripted-upstream-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  int port() {
    return server.getLocalPort();
  }

  /** The next connection Egret opens, waiting up to 5 s. */
  Socket take() throws InterruptedException, IOException {
    Socket s = accepted.poll(5, TimeUnit.SECONDS);
    if (s == null) {
      throw new AssertionError("Egret did not connect to the scripted upstream within 5 s");
    }
    s.setSoTimeout(5_000);
    s.setTcpNoDelay(true);
    return s;
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        accepted.add(server.accept());
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket s : accepted) {
      s.close();
    }
  }
}
