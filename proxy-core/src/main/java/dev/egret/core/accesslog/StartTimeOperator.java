package dev.egret.core.accesslog;

import static java.util.Objects.requireNonNull;

import dev.egret.core.stream.StreamInfo;

/**
 * {@code %START_TIME%} / {@code %START_TIME(fmt)%}: when the request (HTTP) or the downstream
 * connection (TCP) started, in UTC. Always a string in typed JSON.
 */
record StartTimeOperator(TimeFormat format) implements FormatOperator {
  StartTimeOperator {
    requireNonNull(format, "format");
  }

  @Override
  public boolean append(StreamInfo info, StringBuilder out) {
    format.append(info.startEpochMillis(), out);
    return true;
  }
}
