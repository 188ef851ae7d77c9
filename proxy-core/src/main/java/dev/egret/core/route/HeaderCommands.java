package dev.egret.core.route;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import dev.egret.core.accesslog.CommandParser;
import dev.egret.core.accesslog.FormatOperator;
import dev.egret.core.config.ConfigPath;
import dev.egret.core.stream.StreamInfo;
import java.util.ArrayList;
import java.util.List;

/**
 * Header-value commands beyond the access log's built-in ones: {@code %FILTER_STATE(key)%} and
 * {@code %FILTER_STATE(key:PLAIN)%} (the object's string form), {@code %PER_REQUEST_STATE(key)%}
 * (its legacy name), {@code %DYNAMIC_METADATA(ns:key[:key…])%} and the legacy
 * {@code %DYNAMIC_METADATA(["ns","key",…])%} (a string as is, a whole number without a fraction,
 * anything else as JSON). {@code %UPSTREAM_METADATA(…)%} is refused: endpoint metadata is not carried
 * to header formatting. Unset values are empty. Operators are immutable.
 */
final class HeaderCommands implements CommandParser {
  static final HeaderCommands INSTANCE = new HeaderCommands();

  private HeaderCommands() {}

  @Override
  public FormatOperator parse(String command, String argument, int maxLength, ConfigPath at) {
    switch (command) {
      case "FILTER_STATE", "PER_REQUEST_STATE" -> {
        String key = argument == null ? "" : argument;
        if (key.endsWith(":PLAIN")) {
          key = key.substring(0, key.length() - ":PLAIN".length());
        } else if (command.equals("FILTER_STATE") && (key.endsWith(":TYPED") || key.contains(":FIELD"))) {
          at.error("%FILTER_STATE(" + argument + ")%: only the PLAIN form is supported in header values");
        }
        if (key.isEmpty()) {
          at.error("%" + command + "(key)% needs a key");
        }
        String k = key;
        return FormatOperator.truncated((info, out) -> append(out, info.filterState().getString(k)), maxLength);
      }
      case "DYNAMIC_METADATA" -> {
        List<String> path = metadataPath(argument, at);
        if (path.size() < 1) {
          at.error("%DYNAMIC_METADATA(namespace[:key…])% needs a namespace");
          return (info, out) -> false;
        }
        return FormatOperator.truncated((info, out) -> appendMetadata(info, path, out), maxLength);
      }
      case "UPSTREAM_METADATA" -> {
        at.error("%UPSTREAM_METADATA(...)% is not supported by Egret in header values (endpoint metadata is "
            + "not available here)");
        return (info, out) -> false;
      }
      default -> {
        return null;
      }
    }
  }

  /** {@code ns:key:key} or the legacy {@code ["ns","key"]}. */
  private static List<String> metadataPath(String argument, ConfigPath at) {
    List<String> out = new ArrayList<>();
    if (argument == null || argument.isEmpty()) {
      return out;
    }
    String a = argument.trim();
    if (a.startsWith("[")) {
      if (!a.endsWith("]")) {
        at.error("malformed metadata path " + argument);
        return out;
      }
      for (String part : a.substring(1, a.length() - 1).split(",")) {
        String p = part.trim();
        if (p.length() < 2 || !p.startsWith("\"") || !p.endsWith("\"")) {
          at.error("malformed metadata path " + argument + " (expected [\"ns\",\"key\",…])");
          return List.of();
        }
        out.add(p.substring(1, p.length() - 1));
      }
      return out;
    }
    for (String p : a.split(":")) {
      out.add(p);
    }
    return out;
  }

  private static boolean append(StringBuilder out, String v) {
    if (v == null) {
      return false;
    }
    out.append(v);
    return true;
  }

  private static boolean appendMetadata(StreamInfo info, List<String> path, StringBuilder out) {
    Struct s = info.dynamicMetadata().get(path.get(0));
    if (s == null) {
      return false;
    }
    if (path.size() == 1) {
      return appendValue(Value.newBuilder().setStructValue(s).build(), out);
    }
    Value v = null;
    for (int i = 1; i < path.size(); i++) {
      if (s == null || !s.containsFields(path.get(i))) {
        return false;
      }
      v = s.getFieldsOrThrow(path.get(i));
      s = v.hasStructValue() ? v.getStructValue() : null;
    }
    return appendValue(v, out);
  }

  private static boolean appendValue(Value v, StringBuilder out) {
    switch (v.getKindCase()) {
      case STRING_VALUE -> out.append(v.getStringValue());
      case BOOL_VALUE -> out.append(v.getBoolValue());
      case NUMBER_VALUE -> {
        double d = v.getNumberValue();
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
          out.append((long) d);
        } else {
          out.append(d);
        }
      }
      case NULL_VALUE, KIND_NOT_SET -> {
        return false;
      }
      default -> {
        try {
          out.append(JsonFormat.printer().omittingInsignificantWhitespace().print(v));
        } catch (InvalidProtocolBufferException e) {
          return false;
        }
      }
    }
    return true;
  }
}
