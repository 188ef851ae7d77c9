package dev.egret.xds;

import dev.egret.core.config.ConfigError;
import dev.egret.core.config.ConfigException;
import dev.egret.core.config.XdsSettings;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.grpc.ClientInterceptors;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.grpc.stub.MetadataUtils;
import java.net.InetSocketAddress;
import java.util.Map;

/**
 * Makes the gRPC channel to the control plane: {@code envoy_grpc} names a static cluster whose first
 * endpoint is dialled (an IP socket address, or a Unix domain socket {@code pipe} when epoll is
 * available), in plaintext or with the cluster's TLS ({@link ControlPlaneTls}, mutual TLS included);
 * {@code google_grpc} a target URI, in plaintext. {@code initial_metadata} is sent
 * on every call.
 */
final class XdsChannels {
  private XdsChannels() {}

  /** A channel and what must be shut down with it. */
  record Opened(ManagedChannel channel, io.grpc.Channel intercepted, Runnable shutdownExtra) {}

  private static NettyChannelBuilder transport(NettyChannelBuilder b, ControlPlaneTls.Settings tls) {
    if (tls == null) {
      return b.usePlaintext();
    }
    b.sslContext(tls.context());
    if (tls.authority() != null) {
      b.overrideAuthority(tls.authority());
    }
    return b;
  }

  static Opened open(XdsSettings s, Bootstrap b) throws ConfigException {
    ManagedChannel ch;
    Runnable extra = () -> {};
    if (s.googleGrpcTarget() != null) {
      ch = Grpc.newChannelBuilder(s.googleGrpcTarget(), InsecureChannelCredentials.create()).build();
    } else {
      Cluster c = null;
      int index = -1;
      for (int i = 0; i < b.getStaticResources().getClustersCount(); i++) {
        if (b.getStaticResources().getClusters(i).getName().equals(s.envoyGrpcCluster())) {
          c = b.getStaticResources().getClusters(i);
          index = i;
        }
      }
      String at = "dynamic_resources.ads_config.grpc_services[0].envoy_grpc.cluster_name";
      if (c == null || c.getLoadAssignment().getEndpointsCount() == 0
          || c.getLoadAssignment().getEndpoints(0).getLbEndpointsCount() == 0) {
        throw new ConfigException(new ConfigError(at, s.envoyGrpcCluster(),
            "the xDS cluster needs a load_assignment with an endpoint"));
      }
      ControlPlaneTls.Settings tls = c.hasTransportSocket() ? ControlPlaneTls.of(c, index) : null;
      Address a = c.getLoadAssignment().getEndpoints(0).getLbEndpoints(0).getEndpoint().getAddress();
      if (a.hasPipe()) {
        if (!Epoll.isAvailable()) {
          throw new ConfigException(new ConfigError(at, s.envoyGrpcCluster(),
              "a Unix domain socket control plane needs epoll, which is unavailable here: "
                  + Epoll.unavailabilityCause()));
        }
        EpollEventLoopGroup group = new EpollEventLoopGroup(1);
        ch = transport(NettyChannelBuilder.forAddress(new DomainSocketAddress(a.getPipe().getPath()))
            .eventLoopGroup(group).channelType(EpollDomainSocketChannel.class), tls).build();
        extra = () -> group.shutdownGracefully();
      } else if (a.hasSocketAddress()) {
        ch = transport(NettyChannelBuilder.forAddress(new InetSocketAddress(a.getSocketAddress().getAddress(),
            a.getSocketAddress().getPortValue())), tls).build();
      } else {
        throw new ConfigException(new ConfigError(at, s.envoyGrpcCluster(),
            "the xDS cluster's endpoint needs a socket_address or a pipe"));
      }
    }
    io.grpc.Channel intercepted = ch;
    if (!s.initialMetadata().isEmpty()) {
      Metadata md = new Metadata();
      for (Map.Entry<String, String> e : s.initialMetadata()) {
        md.put(Metadata.Key.of(e.getKey(), Metadata.ASCII_STRING_MARSHALLER), e.getValue());
      }
      intercepted = ClientInterceptors.intercept(ch, MetadataUtils.newAttachHeadersInterceptor(md));
    }
    if (s.callToken() != null) { // call credentials from a token file, re-read when it rotates
      intercepted = ClientInterceptors.intercept(intercepted, new TokenFileCredentials(s.callToken()));
    }
    return new Opened(ch, intercepted, extra);
  }
}
