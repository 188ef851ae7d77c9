package dev.egret.core.accesslog;

import dev.egret.core.accesslog.InfoOperators.AddressPart;
import dev.egret.core.accesslog.InfoOperators.AddressText;
import dev.egret.core.accesslog.InfoOperators.Constant;
import dev.egret.core.accesslog.InfoOperators.Flags;
import dev.egret.core.accesslog.InfoOperators.Numeric;
import dev.egret.core.accesslog.InfoOperators.SocketAddress;
import dev.egret.core.accesslog.InfoOperators.Text;
import dev.egret.core.config.ConfigPath;
import dev.egret.core.stream.StreamInfo;

/**
 * Egret's built-in commands (Envoy's names). Header commands take {@code (X?Y)} and {@code :N};
 * {@code START_TIME} takes an optional strftime pattern; every other command takes neither, and
 * giving one is an error, as in Envoy.
 */
final class BuiltinCommands implements CommandParser {
  static final BuiltinCommands INSTANCE = new BuiltinCommands();

  private BuiltinCommands() {}

  @Override
  public FormatOperator parse(String command, String argument, int maxLength, ConfigPath at) {
    switch (command) {
      case "REQ":
        return orPlaceholder(HeaderOperator.parse(HeaderOperator.Source.REQUEST, command, argument,
            maxLength, at));
      case "RESP":
        return orPlaceholder(HeaderOperator.parse(HeaderOperator.Source.RESPONSE, command, argument,
            maxLength, at));
      case "TRAILER":
        return orPlaceholder(HeaderOperator.parse(HeaderOperator.Source.TRAILERS, command, argument,
            maxLength, at));
      case "FILTER_STATE", "DYNAMIC_METADATA":
        return StateOperators.parse(command, argument, maxLength, at);
      case "START_TIME": {
        noLength(command, maxLength, at);
        String pattern = argument == null || argument.isEmpty() ? TimeFormat.ISO_MILLIS : argument;
        TimeFormat f = TimeFormat.compile(pattern, at);
        return f == null ? placeholder() : new StartTimeOperator(f);
      }
      default:
        break;
    }
    FormatOperator op = simple(command);
    if (op != null) {
      if (argument != null) {
        at.error("access log format: %" + command + "% does not take parameters");
      }
      noLength(command, maxLength, at);
    }
    return op;
  }

  /** Commands without parameters; null when unknown. */
  private static FormatOperator simple(String command) {
    return switch (command) {
      case "PROTOCOL" -> new Text(StreamInfo::protocol);
      case "RESPONSE_CODE" -> new Numeric(StreamInfo::responseCode, false);
      case "RESPONSE_FLAGS" -> new Flags(false);
      case "RESPONSE_FLAGS_LONG" -> new Flags(true);
      case "RESPONSE_CODE_DETAILS" -> new Text(StreamInfo::responseCodeDetails);
      case "CONNECTION_TERMINATION_DETAILS" -> new Text(StreamInfo::connectionTerminationDetails);
      case "BYTES_RECEIVED" -> new Numeric(StreamInfo::bytesReceived, false);
      case "BYTES_SENT" -> new Numeric(StreamInfo::bytesSent, false);
      case "DURATION" -> new Numeric(StreamInfo::durationMillis, true);
      case "RESPONSE_DURATION" -> new Numeric(BuiltinCommands::responseDuration, true);
      case "UPSTREAM_REQUEST_ATTEMPT_COUNT" -> new Numeric(StreamInfo::attemptCount, false);
      case "UPSTREAM_HOST", "UPSTREAM_REMOTE_ADDRESS" ->
          new AddressText(StreamInfo::upstreamHost, AddressPart.FULL);
      case "UPSTREAM_REMOTE_ADDRESS_WITHOUT_PORT" ->
          new AddressText(StreamInfo::upstreamHost, AddressPart.NO_PORT);
      case "UPSTREAM_REMOTE_PORT" -> new AddressText(StreamInfo::upstreamHost, AddressPart.PORT);
      case "UPSTREAM_LOCAL_ADDRESS" ->
          new AddressText(StreamInfo::upstreamLocalAddress, AddressPart.FULL);
      case "UPSTREAM_LOCAL_ADDRESS_WITHOUT_PORT" ->
          new AddressText(StreamInfo::upstreamLocalAddress, AddressPart.NO_PORT);
      case "UPSTREAM_LOCAL_PORT" ->
          new AddressText(StreamInfo::upstreamLocalAddress, AddressPart.PORT);
      case "UPSTREAM_CLUSTER" -> new Text(BuiltinCommands::clusterStatName);
      case "UPSTREAM_CLUSTER_RAW" -> new Text(StreamInfo::upstreamClusterName);
      case "UPSTREAM_TRANSPORT_FAILURE_REASON" ->
          new Text(StreamInfo::upstreamTransportFailureReason);
      case "DOWNSTREAM_LOCAL_ADDRESS" ->
          new SocketAddress(StreamInfo::downstreamLocalAddress, AddressPart.FULL);
      case "DOWNSTREAM_LOCAL_ADDRESS_WITHOUT_PORT" ->
          new SocketAddress(StreamInfo::downstreamLocalAddress, AddressPart.NO_PORT);
      case "DOWNSTREAM_LOCAL_PORT" ->
          new SocketAddress(StreamInfo::downstreamLocalAddress, AddressPart.PORT);
      case "DOWNSTREAM_REMOTE_ADDRESS" ->
          new SocketAddress(StreamInfo::downstreamRemoteAddress, AddressPart.FULL);
      case "DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT" ->
          new SocketAddress(StreamInfo::downstreamRemoteAddress, AddressPart.NO_PORT);
      case "DOWNSTREAM_REMOTE_PORT" ->
          new SocketAddress(StreamInfo::downstreamRemoteAddress, AddressPart.PORT);
      case "DOWNSTREAM_DIRECT_REMOTE_ADDRESS" ->
          new SocketAddress(StreamInfo::downstreamDirectRemoteAddress, AddressPart.FULL);
      case "DOWNSTREAM_DIRECT_REMOTE_ADDRESS_WITHOUT_PORT" ->
          new SocketAddress(StreamInfo::downstreamDirectRemoteAddress, AddressPart.NO_PORT);
      case "DOWNSTREAM_DIRECT_REMOTE_PORT" ->
          new SocketAddress(StreamInfo::downstreamDirectRemoteAddress, AddressPart.PORT);
      case "REQUESTED_SERVER_NAME" -> new Text(StreamInfo::requestedServerName);
      case "ROUTE_NAME" -> new Text(StreamInfo::routeName);
      case "DOWNSTREAM_PEER_URI_SAN" -> new Text(StreamInfo::downstreamPeerUriSan);
      case "DOWNSTREAM_LOCAL_URI_SAN" -> new Text(StreamInfo::downstreamLocalUriSan);
      case "HOSTNAME" -> new Constant(Hostname.get());
      default -> null;
    };
  }

  private static String clusterStatName(StreamInfo info) {
    String alt = info.upstreamClusterAltStatName();
    return alt == null || alt.isEmpty() ? info.upstreamClusterName() : alt;
  }

  private static long responseDuration(StreamInfo info) {
    long h = info.upstreamHeadersNanos();
    return h < 0 ? -1 : (h - info.startNanos()) / 1_000_000;
  }

  private static void noLength(String command, int maxLength, ConfigPath at) {
    if (maxLength >= 0) {
      at.error("access log format: %" + command + "% does not allow a length (:" + maxLength + ")");
    }
  }

  private static FormatOperator orPlaceholder(FormatOperator op) {
    return op == null ? placeholder() : op;
  }

  /** Returned after an error was reported, so that parsing goes on and finds further errors. */
  private static FormatOperator placeholder() {
    return new Literal("");
  }
}
