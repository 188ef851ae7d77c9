package dev.egret.core.listener;

import static java.util.Objects.requireNonNull;

import dev.egret.core.http.ConnectionInfo;
import dev.egret.core.http.HcmConfig;
import dev.egret.core.http.HttpPipelines;
import dev.egret.core.network.TerminalFilter;
import dev.egret.core.stream.StreamInfo;
import io.netty.channel.Channel;

/** {@code http_connection_manager} as the terminal filter of a chain. */
record HcmTerminal(HcmConfig hcm) implements TerminalFilter {
  HcmTerminal {
    requireNonNull(hcm, "hcm");
  }

  @Override
  public void start(Channel ch, ConnectionInfo connection, StreamInfo info) {
    HttpPipelines.installOnReadyTransport(ch, hcm, connection);
  }
}
