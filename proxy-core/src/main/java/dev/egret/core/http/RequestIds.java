package dev.egret.core.http;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Makes {@code x-request-id} values: random (version 4) UUIDs from the thread's own generator. Request
 * ids correlate log lines; they are not secrets, so a fast non-blocking source is the right one.
 */
public final class RequestIds {
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private RequestIds() {}

  public static String next() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    long hi = (r.nextLong() & ~0xF000L) | 0x4000L; // version 4
    long lo = (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L; // IETF variant
    char[] out = new char[36];
    int p = 0;
    p = hex(hi >>> 32, 8, out, p);
    out[p++] = '-';
    p = hex(hi >>> 16, 4, out, p);
    out[p++] = '-';
    p = hex(hi, 4, out, p);
    out[p++] = '-';
    p = hex(lo >>> 48, 4, out, p);
    out[p++] = '-';
    hex(lo, 12, out, p);
    return new String(out);
  }

  private static int hex(long v, int digits, char[] out, int p) {
    for (int i = digits - 1; i >= 0; i--) {
      out[p + i] = HEX[(int) (v & 0xF)];
      v >>>= 4;
    }
    return p + digits;
  }
}
