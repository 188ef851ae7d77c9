package dev.egret.core.accesslog;

import dev.egret.core.stream.StreamInfo;

/**
 * A compiled access logger. {@link #log} is called on the event loop when a stream (or TCP
 * connection) ends; it only enqueues the entry for the {@link AccessLogWriter}'s thread and never
 * blocks or formats. The {@link StreamInfo} must not be written after it has been logged.
 */
@FunctionalInterface
public interface AccessLog {
  void log(StreamInfo info);
}
