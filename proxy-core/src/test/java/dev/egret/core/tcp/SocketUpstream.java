package dev.egret.core.tcp;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A blocking-socket upstream on 127.0.0.1 for tcp_proxy tests: each accepted connection runs
 * {@link Script} on its own daemon thread. {@link #echo()} writes back what it reads and half-closes
 * when the peer does.
 */
final class SocketUpstream implements AutoCloseable {
  /** What one connection does. */
  interface Script {
    void run(Socket s) throws IOException;
  }

  private final ServerSocket server;
  private final Script script;
  private final AtomicInteger accepted = new AtomicInteger();
  private final Queue<Socket> sockets = new ConcurrentLinkedQueue<>();

  SocketUpstream(Script script) throws IOException {
    this(new ServerSocket(0, 200, InetAddress.getLoopbackAddress()), script);
  }

  /** Serves on a bound server socket of the caller's (a TLS one, for example). */
  SocketUpstream(ServerSocket server, Script script) {
    this.server = server;
    this.script = script;
    Thread t = new Thread(this::acceptLoop, "socket-upstream-accept");
    t.setDaemon(true);
    t.start();
  }

  /** Echoes every byte; half-closes its output after the peer's end of stream. */
  static SocketUpstream echo() throws IOException {
    return new SocketUpstream(s -> {
      InputStream in = s.getInputStream();
      OutputStream out = s.getOutputStream();
      byte[] buf = new byte[16 * 1024];
      int n;
      while ((n = in.read(buf)) >= 0) {
        out.write(buf, 0, n);
        out.flush();
      }
      s.shutdownOutput();
    });
  }

  int port() {
    return server.getLocalPort();
  }

  int accepted() {
    return accepted.get();
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      Socket s;
      try {
        s = server.accept();
      } catch (IOException e) {
        return;
      }
      accepted.incrementAndGet();
      sockets.add(s);
      Thread t = new Thread(() -> {
        try (s) {
          script.run(s);
        } catch (IOException e) {
          // the peer went away: nothing to do
        }
      }, "socket-upstream-conn");
      t.setDaemon(true);
      t.start();
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket s : sockets) {
      s.close();
    }
  }
}
