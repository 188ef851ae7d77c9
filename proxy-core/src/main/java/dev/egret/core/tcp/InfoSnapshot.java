package dev.egret.core.tcp;

import dev.egret.core.stream.ResponseFlag;
import dev.egret.core.stream.StreamInfo;

/**
 * A copy of a live TCP connection's stream info for an access-log entry written before the
 * connection ends (periodic flush, flush on connect): the writer thread formats the copy while the
 * event loop goes on updating the original. The copy's duration runs to the moment of the copy.
 */
final class InfoSnapshot {
  private InfoSnapshot() {}

  static StreamInfo of(StreamInfo s, long nowNanos) {
    StreamInfo c = new StreamInfo(s.startEpochMillis(), s.startNanos());
    c.setProtocol(s.protocol());
    for (ResponseFlag f : s.flags()) {
      c.setFlag(f);
    }
    c.setResponseCodeDetails(s.responseCodeDetails());
    c.setConnectionTerminationDetails(s.connectionTerminationDetails());
    c.addBytesReceived(s.bytesReceived());
    c.addBytesSent(s.bytesSent());
    c.setUpstreamHost(s.upstreamHost());
    c.setUpstreamCluster(s.upstreamClusterName(), s.upstreamClusterAltStatName());
    c.setUpstreamLocalAddress(s.upstreamLocalAddress());
    c.setUpstreamTransportFailureReason(s.upstreamTransportFailureReason());
    c.setAttemptCount(s.attemptCount());
    c.setDownstreamAddresses(s.downstreamLocalAddress(), s.downstreamDirectRemoteAddress());
    c.setDownstreamRemoteAddress(s.downstreamRemoteAddress());
    c.setRequestedServerName(s.requestedServerName());
    c.setRouteName(s.routeName());
    c.setDownstreamPeerUriSan(s.downstreamPeerUriSan());
    c.setDownstreamLocalUriSan(s.downstreamLocalUriSan());
    c.attachConnection(s.filterState().parent(), s.dynamicMetadata().parent());
    c.markEnd(nowNanos);
    return c;
  }
}
