package dev.egret.core.http;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Byte-level HTTP/1.1 for tests: writes exact bytes and reads one message at a time, keeping the
 * framing visible (how the body was delimited, the raw chunk framing, trailers). Never buffers past
 * the end of a message, so several messages can be read from one stream in turn.
 */
final class RawHttp {
  private RawHttp() {}

  /** How the body of a message was delimited on the wire. */
  enum Framing { NONE, CONTENT_LENGTH, CHUNKED, CLOSE }

  /** One header field as it appeared on the wire (name lower-cased for lookups). */
  record Field(String name, String value) {}

  /** A message as read: start line, fields in order, body bytes, trailers, framing. */
  record Message(String startLine, List<Field> headers, byte[] body, List<Field> trailers, Framing framing,
      String rawChunks) {
    int status() {
      return Integer.parseInt(startLine.split(" ", 3)[1]);
    }

    String header(String name) {
      return first(headers, name);
    }

    List<String> all(String name) {
      String n = name.toLowerCase(Locale.ROOT);
      return headers.stream().filter(f -> f.name().equals(n)).map(Field::value).toList();
    }

    String trailer(String name) {
      return first(trailers, name);
    }

    String bodyText() {
      return new String(body, StandardCharsets.ISO_8859_1);
    }

    private static String first(List<Field> fields, String name) {
      String n = name.toLowerCase(Locale.ROOT);
      return fields.stream().filter(f -> f.name().equals(n)).map(Field::value).findFirst().orElse(null);
    }
  }

  static Socket connect(int port) throws IOException {
    Socket s = new Socket("127.0.0.1", port);
    s.setSoTimeout(5_000); // every read has a deadline
    s.setTcpNoDelay(true);
    return s;
  }

  static void write(Socket s, String ascii) throws IOException {
    OutputStream out = s.getOutputStream();
    out.write(ascii.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  /** Reads a response; {@code headRequest} means no body follows whatever the headers say. */
  static Message readResponse(InputStream in, boolean headRequest) throws IOException {
    String start = readLine(in);
    List<Field> headers = readFields(in);
    int status = Integer.parseInt(start.split(" ", 3)[1]);
    boolean bodyless = headRequest || status / 100 == 1 || status == 204 || status == 304;
    return readBody(in, start, headers, bodyless, true);
  }

  /** Reads a request; without content-length or chunked transfer-encoding it has no body. */
  static Message readRequest(InputStream in) throws IOException {
    String start = readLine(in);
    List<Field> headers = readFields(in);
    return readBody(in, start, headers, false, false);
  }

  private static Message readBody(InputStream in, String start, List<Field> headers, boolean bodyless,
      boolean response) throws IOException {
    String te = Message.first(headers, "transfer-encoding");
    String cl = Message.first(headers, "content-length");
    if (bodyless) {
      return new Message(start, headers, new byte[0], List.of(), Framing.NONE, "");
    }
    if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      StringBuilder raw = new StringBuilder();
      while (true) {
        String sizeLine = readLine(in);
        raw.append(sizeLine).append("\r\n");
        int size = Integer.parseInt(sizeLine.split(";", 2)[0].trim(), 16);
        if (size == 0) {
          break;
        }
        byte[] data = in.readNBytes(size);
        if (data.length != size) {
          throw new EOFException("chunk cut short");
        }
        body.write(data);
        raw.append(new String(data, StandardCharsets.ISO_8859_1));
        String crlf = readLine(in);
        if (!crlf.isEmpty()) {
          throw new IOException("no CRLF after chunk data: " + crlf);
        }
        raw.append("\r\n");
      }
      List<Field> trailers = readFields(in);
      return new Message(start, headers, body.toByteArray(), trailers, Framing.CHUNKED, raw.toString());
    }
    if (cl != null) {
      int n = Integer.parseInt(cl.trim());
      byte[] data = in.readNBytes(n);
      if (data.length != n) {
        throw new EOFException("body cut short: " + data.length + " of " + n);
      }
      return new Message(start, headers, data, List.of(), Framing.CONTENT_LENGTH, "");
    }
    if (!response) {
      return new Message(start, headers, new byte[0], List.of(), Framing.NONE, "");
    }
    return new Message(start, headers, in.readAllBytes(), List.of(), Framing.CLOSE, "");
  }

  private static List<Field> readFields(InputStream in) throws IOException {
    List<Field> fields = new ArrayList<>();
    for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
      int colon = line.indexOf(':');
      fields.add(new Field(line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
          line.substring(colon + 1).trim()));
    }
    return fields;
  }

  /** One CRLF-terminated line, without the CRLF; fails on EOF. */
  static String readLine(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    while (true) {
      int b = in.read();
      if (b < 0) {
        throw new EOFException("connection closed after \"" + sb + "\"");
      }
      if (b == '\n') {
        int n = sb.length();
        if (n > 0 && sb.charAt(n - 1) == '\r') {
          sb.setLength(n - 1);
        }
        return sb.toString();
      }
      sb.append((char) b);
    }
  }

  /**
   * True when the peer closes the connection (EOF or reset) before the socket's read timeout, with no
   * further bytes; false when bytes arrive or the timeout passes.
   */
  static boolean closedByPeer(Socket s) throws IOException {
    try {
      return s.getInputStream().read() < 0;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (SocketException e) {
      return true; // connection reset
    }
  }

  /** {@code n} bytes of {@code c}. */
  static String repeat(char c, int n) {
    return String.valueOf(c).repeat(n);
  }
}
