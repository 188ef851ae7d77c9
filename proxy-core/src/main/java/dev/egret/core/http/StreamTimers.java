package dev.egret.core.http;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The connection manager's per-stream timers: stream idle ({@code stream_idle_timeout}, or the route's
 * {@code idle_timeout}), whole request ({@code request_timeout}) and stream duration
 * ({@code max_stream_duration}). Activity only stores a timestamp; the idle timer, when it fires,
 * re-arms itself for the time still left, so busy streams cost no timer churn. On an HTTP/1.1
 * connection one instance serves every request in turn and the idle timer stays armed across them,
 * so a kept-alive request schedules nothing. Runs on the stream's event loop.
 */
final class StreamTimers {
  /** What the stream does when a timer fires. */
  interface Expiry {
    void idle();

    void requestTimeout();

    void durationTimeout();
  }

  private final EventExecutor loop;
  private final Expiry expiry;
  private long idleNanos;
  private long lastActivity;
  private ScheduledFuture<?> idle;
  private ScheduledFuture<?> request;
  private ScheduledFuture<?> duration;
  private long startNanos;
  private boolean active; // a stream is running

  StreamTimers(EventExecutor loop, Expiry expiry) {
    this.loop = loop;
    this.expiry = expiry;
  }

  /** Arms the timers for a new stream; a value of 0 leaves that timer off. */
  void start(long idleMillis, long requestMillis, long durationMillis) {
    cancel();
    active = true;
    lastActivity = System.nanoTime();
    startNanos = lastActivity;
    long nanos = TimeUnit.MILLISECONDS.toNanos(idleMillis);
    if (nanos != idleNanos || (idle == null && nanos > 0)) {
      setIdle(idleMillis); // an armed timer with the same timeout re-arms itself lazily
    }
    if (requestMillis > 0) {
      request = loop.schedule(() -> {
        request = null;
        expiry.requestTimeout();
      }, requestMillis, TimeUnit.MILLISECONDS);
    }
    setDuration(durationMillis);
  }

  /** Replaces the stream duration limit (a route's {@code max_stream_duration}), counted from the stream's start. */
  void setDuration(long durationMillis) {
    if (duration != null) {
      duration.cancel(false);
      duration = null;
    }
    if (durationMillis > 0) {
      long left = Math.max(1, durationMillis - (System.nanoTime() - startNanos) / 1_000_000);
      duration = loop.schedule(() -> {
        duration = null;
        expiry.durationTimeout();
      }, left, TimeUnit.MILLISECONDS);
    }
  }

  /** Replaces the idle timeout (a route's {@code idle_timeout}); 0 turns it off. */
  void setIdle(long idleMillis) {
    if (idle != null) {
      idle.cancel(false);
      idle = null;
    }
    idleNanos = TimeUnit.MILLISECONDS.toNanos(idleMillis);
    if (idleNanos > 0) {
      idle = loop.schedule(this::checkIdle, idleNanos, TimeUnit.NANOSECONDS);
    }
  }

  void activity() {
    lastActivity = System.nanoTime();
  }

  /** The whole request arrived: the request timer has done its job. */
  void requestComplete() {
    if (request != null) {
      request.cancel(false);
      request = null;
    }
  }

  private void checkIdle() {
    idle = null;
    if (!active) {
      return; // between requests: the next one arms it again
    }
    long left = idleNanos - (System.nanoTime() - lastActivity);
    if (left > 0) {
      idle = loop.schedule(this::checkIdle, left, TimeUnit.NANOSECONDS);
      return;
    }
    expiry.idle();
  }

  /** The stream ended: its request and duration timers go; the idle timer lapses when it fires. */
  void cancel() {
    active = false;
    requestComplete();
    if (duration != null) {
      duration.cancel(false);
      duration = null;
    }
  }

  /** The connection closed: nothing may stay scheduled. */
  void shutdown() {
    cancel();
    if (idle != null) {
      idle.cancel(false);
      idle = null;
    }
  }
}
