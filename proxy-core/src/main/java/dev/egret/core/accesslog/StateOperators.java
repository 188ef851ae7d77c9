package dev.egret.core.accesslog;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import dev.egret.core.config.ConfigPath;
import dev.egret.core.stream.FilterState;
import dev.egret.core.stream.StreamInfo;
import java.util.List;

/**
 * {@code %FILTER_STATE(KEY:PLAIN|TYPED)%} and {@code %DYNAMIC_METADATA(NAMESPACE:KEY:...)%}, with
 * an optional {@code :N} length. Filter-state values are strings (every factory Egret supports makes
 * one): {@code PLAIN} prints the string, {@code TYPED} (the default) its JSON form ({@code "v"}), as
 * Envoy serializes a string object; {@code FIELD} is not supported (no Egret object has fields). A
 * metadata path selects a value inside the namespace's struct: a string prints as itself, anything
 * else as compact JSON; no path prints the whole namespace. A missing key is unset ({@code -}).
 * Lookups see the stream's values first, then its connection's.
 */
final class StateOperators {
  private StateOperators() {}

  static FormatOperator parse(String command, String argument, int maxLength, ConfigPath at) {
    return switch (command) {
      case "FILTER_STATE" -> FormatOperator.truncated(filterState(argument, at), maxLength);
      case "DYNAMIC_METADATA" -> FormatOperator.truncated(dynamicMetadata(argument, at), maxLength);
      default -> null;
    };
  }

  private static FormatOperator filterState(String argument, ConfigPath at) {
    if (argument == null || argument.isEmpty()) {
      at.error("access log format: %FILTER_STATE% needs a key: %FILTER_STATE(KEY:PLAIN)%");
      return new Literal("");
    }
    String[] parts = argument.split(":", -1);
    if (parts[0].isEmpty()) {
      at.error("access log format: %FILTER_STATE(" + argument + ")% needs a key");
      return new Literal("");
    }
    boolean plain = false;
    if (parts.length >= 2) {
      switch (parts[1]) {
        case "PLAIN" -> plain = true;
        case "TYPED" -> plain = false;
        case "FIELD" -> {
          at.error("access log format: %FILTER_STATE(" + argument + ")%: FIELD is not supported by Egret "
              + "(its filter-state values are strings without fields)");
          return new Literal("");
        }
        default -> {
          at.error("access log format: %FILTER_STATE(" + argument + ")%: '" + parts[1]
              + "' is not PLAIN, TYPED or FIELD");
          return new Literal("");
        }
      }
    }
    if (parts.length > 2) {
      at.error("access log format: %FILTER_STATE(" + argument + ")% has too many parts: it needs KEY[:PLAIN|TYPED]");
    }
    return new FilterStateOperator(parts[0], plain);
  }

  private static FormatOperator dynamicMetadata(String argument, ConfigPath at) {
    if (argument == null || argument.isEmpty()) {
      at.error("access log format: %DYNAMIC_METADATA% needs a namespace: %DYNAMIC_METADATA(NAMESPACE:KEY)%");
      return new Literal("");
    }
    String[] parts = argument.split(":", -1);
    for (String p : parts) {
      if (p.isEmpty()) {
        at.error("access log format: %DYNAMIC_METADATA(" + argument + ")% must not have empty parts");
        return new Literal("");
      }
    }
    return new MetadataOperator(parts[0], List.of(parts).subList(1, parts.length));
  }

  /** A filter-state value, printed plain or as JSON. */
  record FilterStateOperator(String key, boolean plain) implements FormatOperator {
    FilterStateOperator {
      requireNonNull(key, "key");
    }

    private String value(StreamInfo info) {
      FilterState.Value v = info.filterState().get(key);
      return v == null ? null : v.value();
    }

    @Override
    public boolean append(StreamInfo info, StringBuilder out) {
      String v = value(info);
      if (v == null) {
        return false;
      }
      if (plain) {
        out.append(v);
      } else {
        Json.appendString(v, out);
      }
      return true;
    }

    @Override
    public boolean appendJson(StreamInfo info, StringBuilder out) {
      String v = value(info);
      if (v == null) {
        return false;
      }
      Json.appendString(v, out);
      return true;
    }
  }

  /** A value in a dynamic-metadata namespace. */
  record MetadataOperator(String namespace, List<String> path) implements FormatOperator {
    MetadataOperator {
      requireNonNull(namespace, "namespace");
      path = List.copyOf(path);
    }

    private Value value(StreamInfo info) {
      Struct s = info.dynamicMetadata().get(namespace);
      if (s == null) {
        return null;
      }
      Value v = Value.newBuilder().setStructValue(s).build();
      for (String k : path) {
        if (!v.hasStructValue() || !v.getStructValue().containsFields(k)) {
          return null;
        }
        v = v.getStructValue().getFieldsOrThrow(k);
      }
      return v;
    }

    @Override
    public boolean append(StreamInfo info, StringBuilder out) {
      Value v = value(info);
      if (v == null) {
        return false;
      }
      if (v.hasStringValue()) {
        out.append(v.getStringValue());
      } else {
        out.append(json(v));
      }
      return true;
    }

    @Override
    public boolean appendJson(StreamInfo info, StringBuilder out) {
      Value v = value(info);
      if (v == null) {
        return false;
      }
      out.append(json(v));
      return true;
    }

    private static String json(Value v) {
      try {
        return JsonFormat.printer().omittingInsignificantWhitespace().print(v);
      } catch (InvalidProtocolBufferException e) {
        return "null";
      }
    }
  }
}
