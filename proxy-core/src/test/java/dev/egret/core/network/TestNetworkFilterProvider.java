package dev.egret.core.network;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.StringValue;
import dev.egret.core.config.ConfigPath;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A network filter for tests, configured by a {@code google.protobuf.StringValue} command:
 * {@code set:K=V} writes connection filter state; {@code require:K} closes the connection (details
 * {@code missing_K}) when that state is absent; {@code async:MS} stops and continues after MS
 * milliseconds; {@code deny:DETAILS} closes the connection with those termination details.
 */
public final class TestNetworkFilterProvider implements NetworkFilterProvider {
  public static final String TYPE = "type.googleapis.com/google.protobuf.StringValue";

  @Override
  public Set<String> typeUrls() {
    return Set.of(TYPE);
  }

  @Override
  public NetworkFilterFactory compile(Any typedConfig, ConfigPath at, NetworkFilterContext context) {
    String cmd;
    try {
      cmd = typedConfig.unpack(StringValue.class).getValue();
    } catch (InvalidProtocolBufferException e) {
      at.error("cannot decode: " + e.getMessage());
      return null;
    }
    int colon = cmd.indexOf(':');
    if (colon < 0) {
      at.field("value").error("'" + cmd + "' is not a test filter command");
      return null;
    }
    String verb = cmd.substring(0, colon);
    String arg = cmd.substring(colon + 1);
    NetworkFilter filter = switch (verb) {
      case "set" -> cb -> {
        int eq = arg.indexOf('=');
        cb.connection().filterState().setString(arg.substring(0, eq), arg.substring(eq + 1));
        return NetworkFilter.Status.CONTINUE;
      };
      case "require" -> cb -> {
        if (cb.connection().filterState().getString(arg) == null) {
          cb.closeConnection("missing_" + arg);
          return NetworkFilter.Status.STOP;
        }
        return NetworkFilter.Status.CONTINUE;
      };
      case "async" -> cb -> {
        cb.eventLoop().schedule(cb::continueConnection, Long.parseLong(arg), TimeUnit.MILLISECONDS);
        return NetworkFilter.Status.STOP;
      };
      case "deny" -> cb -> {
        cb.closeConnection(arg);
        return NetworkFilter.Status.STOP;
      };
      default -> null;
    };
    if (filter == null) {
      at.field("value").error("unknown test filter verb '" + verb + "'");
      return null;
    }
    return () -> filter;
  }
}
