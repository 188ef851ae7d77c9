package dev.egret.core.tunnel;

import dev.egret.core.pool.ResetReason;
import io.netty.channel.EventLoop;

/**
 * Opens one {@link BytePipe} to an already chosen destination. This is the seam between what needs
 * raw bytes to an upstream (the CONNECT router, {@code tcp_proxy}) and what carries them: plain TCP
 * ({@link TcpPipes}), an HBONE tunnel ({@code dev.egret.hbone.HboneConnector}) or an internal
 * listener. Implementations are cheap values bound to their destination.
 */
@FunctionalInterface
public interface PipeOpener {
  /**
   * Starts opening a pipe on {@code loop}. Exactly one of {@code callback}'s methods is called
   * later on {@code loop}, unless the returned handle is cancelled first.
   *
   * @param listener receives the pipe's events once it is open
   */
  Cancellable open(EventLoop loop, BytePipe.Listener listener, Callback callback);

  /** The outcome of {@link #open}. */
  interface Callback {
    void onOpen(BytePipe pipe);

    /**
     * The pipe could not be opened: a connect failure (flag {@code UF}), including an HBONE CONNECT
     * answered with a status other than 200.
     *
     * @param transportFailureReason Envoy's {@code %UPSTREAM_TRANSPORT_FAILURE_REASON%}, or null
     */
    void onFailure(ResetReason reason, String transportFailureReason);
  }

  /** Withdraws an open still in progress; whatever was being set up is torn down. */
  interface Cancellable {
    void cancel();
  }
}
