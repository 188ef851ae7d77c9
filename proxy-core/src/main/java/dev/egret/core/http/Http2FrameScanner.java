package dev.egret.core.http;

import io.netty.buffer.ByteBuf;

/**
 * Follows the HTTP/2 frame boundaries of one direction of a connection without buffering or
 * decoding anything: it reads the 9-byte frame headers out of the raw bytes as they pass (headers
 * may be split across buffers) and skips the payloads. For RST_STREAM and GOAWAY it also reads the
 * 4-byte error code that starts (RST_STREAM) or follows the last-stream-id in (GOAWAY) the payload.
 *
 * <p>Not thread safe: one instance per direction per connection, used on its event loop.
 */
final class Http2FrameScanner {
  static final int DATA = 0x0;
  static final int HEADERS = 0x1;
  static final int PRIORITY = 0x2;
  static final int RST_STREAM = 0x3;
  static final int SETTINGS = 0x4;
  static final int PING = 0x6;
  static final int GOAWAY = 0x7;
  static final int WINDOW_UPDATE = 0x8;
  static final int CONTINUATION = 0x9;

  static final int FLAG_END_STREAM = 0x1;
  static final int FLAG_ACK = 0x1;
  static final int FLAG_END_HEADERS = 0x4;

  private static final int FRAME_HEADER = 9;

  /** Receives each frame once its header (and, for RST_STREAM/GOAWAY, its error code) is known. */
  interface Listener {
    /**
     * @param errorCode the error code of a RST_STREAM or GOAWAY, or -1
     * @return false to stop scanning (the scanner then ignores every later byte)
     */
    boolean onFrame(int type, int flags, int streamId, int length, long errorCode);
  }

  private final Listener listener;
  private int prefaceLeft;
  private final byte[] header = new byte[FRAME_HEADER];
  private int headerFill;
  private int type;
  private int flags;
  private int streamId;
  private int length;
  private long payloadLeft;
  private int codeSkip; // bytes of payload before the error code (0 for RST_STREAM, 4 for GOAWAY)
  private int codeFill = -1; // bytes of the error code read so far, -1 when not collecting
  private long code;
  private boolean stopped;

  /** @param prefaceBytes bytes to skip before the first frame (24 for a client's connection preface) */
  Http2FrameScanner(int prefaceBytes, Listener listener) {
    this.prefaceLeft = prefaceBytes;
    this.listener = listener;
  }

  boolean stopped() {
    return stopped;
  }

  /**
   * Scans {@code buf} from its reader index without moving it. Returns the offset (relative to the
   * reader index) of the first byte of the frame at which the listener stopped, or -1 when it did not.
   */
  int scan(ByteBuf buf) {
    if (stopped) {
      return 0;
    }
    int start = buf.readerIndex();
    int end = buf.writerIndex();
    int i = start;
    while (i < end) {
      if (prefaceLeft > 0) {
        int n = Math.min(prefaceLeft, end - i);
        prefaceLeft -= n;
        i += n;
        continue;
      }
      if (payloadLeft > 0) {
        if (codeFill >= 0) {
          if (codeSkip > 0) {
            int n = (int) Math.min(codeSkip, Math.min(payloadLeft, end - i));
            codeSkip -= n;
            payloadLeft -= n;
            i += n;
            continue;
          }
          code = (code << 8) | (buf.getByte(i) & 0xFF);
          codeFill++;
          payloadLeft--;
          i++;
          if (codeFill == 4) {
            codeFill = -1;
            if (!deliver(code)) {
              return frameStart(i, start);
            }
          }
          continue;
        }
        long n = Math.min(payloadLeft, end - i);
        payloadLeft -= n;
        i += (int) n;
        continue;
      }
      header[headerFill++] = buf.getByte(i++);
      if (headerFill < FRAME_HEADER) {
        continue;
      }
      headerFill = 0;
      length = ((header[0] & 0xFF) << 16) | ((header[1] & 0xFF) << 8) | (header[2] & 0xFF);
      type = header[3] & 0xFF;
      flags = header[4] & 0xFF;
      streamId = ((header[5] & 0x7F) << 24) | ((header[6] & 0xFF) << 16) | ((header[7] & 0xFF) << 8)
          | (header[8] & 0xFF);
      payloadLeft = length;
      boolean wantsCode = (type == RST_STREAM && length >= 4) || (type == GOAWAY && length >= 8);
      if (wantsCode) {
        codeSkip = type == GOAWAY ? 4 : 0;
        codeFill = 0;
        code = 0;
        continue;
      }
      if (!deliver(-1)) {
        return frameStart(i, start);
      }
    }
    return -1;
  }

  private boolean deliver(long errorCode) {
    if (!listener.onFrame(type, flags, streamId, length, errorCode)) {
      stopped = true;
      return false;
    }
    return true;
  }

  /** Where the frame just delivered began: its header precedes the bytes of payload consumed so far. */
  private int frameStart(int afterIndex, int start) {
    long consumedPayload = length - payloadLeft;
    return (int) Math.max(0, afterIndex - start - FRAME_HEADER - consumedPayload);
  }
}
