package dev.egret.core.route;

import static java.util.Objects.requireNonNull;

import dev.egret.core.accesslog.AccessLogFormat;
import dev.egret.core.config.ConfigPath;
import dev.egret.core.config.Fields;
import dev.egret.core.stream.StreamInfo;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption.HeaderAppendAction;
import io.netty.handler.codec.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

/**
 * One compiled {@code HeaderValueOption}: a header name, a value that may hold access-log commands
 * ({@code %DOWNSTREAM_REMOTE_ADDRESS%}, {@code %REQ(x)%}, {@code %START_TIME(...)%}, every access-log
 * command, plus {@code %FILTER_STATE(key:PLAIN)%} and {@code %DYNAMIC_METADATA(ns:key)%} from
 * {@link HeaderCommands}; compiled once, {@code %%} a literal percent) and how it meets an existing
 * header:
 * <ul>
 *   <li>{@code APPEND_IF_EXISTS_OR_ADD} (the default): one more value, or the header is added;</li>
 *   <li>{@code ADD_IF_ABSENT}: added only when the header is absent;</li>
 *   <li>{@code OVERWRITE_IF_EXISTS_OR_ADD}: every value replaced, or the header added;</li>
 *   <li>{@code OVERWRITE_IF_EXISTS}: replaced only when present.</li>
 * </ul>
 * The deprecated {@code append} maps {@code true} to the first and {@code false} to the third; its
 * default depends on the caller (true for route tables, false for ext_authz answers). A value that
 * evaluates to empty is not added unless {@code keep_empty_value}. An operator without a value
 * yields empty (no {@code -} placeholder).
 *
 * <p>Immutable; safe to share between event loops.
 */
public final class HeaderValueAdd {
  private static final int MAX_VALUE_LENGTH = 16384;

  private final String name;
  private final String literal; // non-null when the value holds no command
  private final AccessLogFormat format; // non-null otherwise
  private final HeaderAppendAction action;
  private final boolean keepEmpty;

  private HeaderValueAdd(String name, String literal, AccessLogFormat format, HeaderAppendAction action,
      boolean keepEmpty) {
    this.name = requireNonNull(name, "name");
    this.literal = literal;
    this.format = format;
    this.action = requireNonNull(action, "action");
    this.keepEmpty = keepEmpty;
  }

  /**
   * Compiles one option.
   *
   * @param appendDefault what an unset deprecated {@code append} means (true in route tables)
   * @return the compiled option, or null after reporting errors at {@code at}
   */
  public static HeaderValueAdd compile(HeaderValueOption proto, boolean appendDefault, ConfigPath at) {
    requireNonNull(proto, "proto");
    int before = at.errorCount();
    Fields.allowOnly(proto, at, Set.of("header", "append", "append_action", "keep_empty_value"));
    ConfigPath ha = at.field("header");
    if (!proto.hasHeader()) {
      ha.error("header is required");
      return null;
    }
    Fields.allowOnly(proto.getHeader(), ha, Set.of("key", "value", "raw_value"));
    String name = HeaderNames.checkMutable(proto.getHeader().getKey(), ha.field("key"));
    String value = proto.getHeader().getValue();
    ConfigPath va = ha.field("value");
    if (!proto.getHeader().getRawValue().isEmpty()) {
      if (!value.isEmpty()) {
        ha.error("only one of value and raw_value may be set");
      }
      value = proto.getHeader().getRawValue().toString(StandardCharsets.UTF_8);
      va = ha.field("raw_value");
    }
    if (value.length() > MAX_VALUE_LENGTH) {
      va.error("header value is " + value.length() + " characters; the limit is " + MAX_VALUE_LENGTH);
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '\r' || c == '\n' || c == 0) {
        va.error("header value must not hold CR, LF or NUL (position " + i + ")");
        break;
      }
    }
    HeaderAppendAction action = proto.getAppendAction();
    if (action == HeaderAppendAction.UNRECOGNIZED) {
      at.field("append_action").error("unknown append_action");
    }
    if (proto.hasAppend()) {
      if (action != HeaderAppendAction.APPEND_IF_EXISTS_OR_ADD) {
        at.error("append and append_action are mutually exclusive; use append_action only");
      }
      action = proto.getAppend().getValue() ? HeaderAppendAction.APPEND_IF_EXISTS_OR_ADD
          : HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD;
    } else if (action == HeaderAppendAction.APPEND_IF_EXISTS_OR_ADD && !appendDefault) {
      action = HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD;
    }
    String literal = null;
    AccessLogFormat format = null;
    if (value.indexOf('%') < 0) {
      literal = value;
    } else {
      format = AccessLogFormat.compileText(value, true, List.of(HeaderCommands.INSTANCE), va);
    }
    if (at.errorCount() > before) {
      return null;
    }
    return new HeaderValueAdd(name, literal, format, action, proto.getKeepEmptyValue());
  }

  /** The header name, lower case. */
  public String name() {
    return name;
  }

  public HeaderAppendAction action() {
    return action;
  }

  /** The value for this stream (commands evaluated against {@code info}); never null. */
  public String value(StreamInfo info) {
    return literal != null ? literal : format.format(info);
  }

  /** Applies {@code value} (from {@link #value}) to {@code headers} as the append action says. */
  public void apply(HttpHeaders headers, String value) {
    if (value.isEmpty() && !keepEmpty) {
      return;
    }
    switch (action) {
      case ADD_IF_ABSENT -> {
        if (!headers.contains(name)) {
          headers.add(name, value);
        }
      }
      case OVERWRITE_IF_EXISTS_OR_ADD -> headers.set(name, value);
      case OVERWRITE_IF_EXISTS -> {
        if (headers.contains(name)) {
          headers.set(name, value);
        }
      }
      default -> headers.add(name, value);
    }
  }

  @Override
  public String toString() {
    return name + "=" + (literal != null ? literal : "<format>") + " " + action;
  }
}
