package dev.egret.core.upstream;

import dev.egret.core.stream.DynamicMetadata;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetSocketAddress;

/**
 * What a load balancer may look at when it picks a host: only an {@code ORIGINAL_DST} cluster needs
 * it today (its destination is the request's or connection's own).
 *
 * @param downstreamLocal the downstream connection's local address (as restored by listener filters)
 * @param requestHeaders  the request's headers, or null for a TCP connection
 * @param metadata        the stream's (or connection's) dynamic metadata, or null
 */
public record LbContext(InetSocketAddress downstreamLocal, HttpHeaders requestHeaders, DynamicMetadata metadata) {
  /** No context: a plain pick. */
  public static final LbContext NONE = new LbContext(null, null, null);
}
