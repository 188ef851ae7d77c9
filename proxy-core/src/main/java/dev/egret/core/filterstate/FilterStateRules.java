package dev.egret.core.filterstate;

import static java.util.Objects.requireNonNull;

import dev.egret.core.accesslog.AccessLogFormat;
import dev.egret.core.config.ConfigPath;
import dev.egret.core.config.Fields;
import dev.egret.core.listener.IpPort;
import dev.egret.core.stream.FilterState;
import dev.egret.core.stream.StreamInfo;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.SubstitutionFormatString;
import io.envoyproxy.envoy.extensions.filters.common.set_filter_state.v3.FilterStateValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The compiled entries of a {@code set_filter_state} filter (HTTP {@code on_request_headers}, network
 * {@code on_new_connection}): each evaluates its {@code format_string} with the access-log format
 * compiler against a {@link StreamInfo} and stores the text under {@code object_key}.
 *
 * <p>Factories: {@code envoy.string} and {@code istio.hashable_string} store the text as is; without
 * a {@code factory_key} the object key itself must name a factory, and Egret knows the address keys
 * {@code envoy.filters.listener.original_dst.local_ip}, {@code …remote_ip} and
 * {@code envoy.network.transport_socket.original_dst_address}, whose text must be {@code IP:PORT} (a
 * value that is not, such as a {@code host:port} authority, is not set, as Envoy skips an object its
 * factory cannot make). Any other factory is rejected by name. {@code read_only} values cannot be
 * replaced later (a rule meeting one is skipped), {@code shared_with_upstream} {@code ONCE} /
 * {@code TRANSITIVE} / {@code NONE} map to {@link FilterState.Sharing}, and {@code skip_if_empty}
 * skips an empty result. Immutable.
 */
public final class FilterStateRules {
  public static final String STRING_FACTORY = "envoy.string";
  public static final String HASHABLE_STRING_FACTORY = "istio.hashable_string";
  /** Object keys whose own factory makes an address from {@code IP:PORT}. */
  public static final Set<String> ADDRESS_KEYS = Set.of("envoy.filters.listener.original_dst.local_ip",
      "envoy.filters.listener.original_dst.remote_ip", "envoy.network.transport_socket.original_dst_address");

  /** One compiled {@code FilterStateValue}. */
  public record Rule(String objectKey, boolean address, AccessLogFormat format, boolean readOnly,
      FilterState.Sharing sharing, boolean skipIfEmpty) {
    public Rule {
      requireNonNull(objectKey, "objectKey");
      requireNonNull(format, "format");
      requireNonNull(sharing, "sharing");
    }
  }

  private final List<Rule> rules;

  private FilterStateRules(List<Rule> rules) {
    this.rules = List.copyOf(rules);
  }

  public List<Rule> rules() {
    return rules;
  }

  /** Compiles the entries; null after reporting at {@code at} (the list's path). */
  public static FilterStateRules compile(List<FilterStateValue> values, ConfigPath at) {
    int before = at.errorCount();
    List<Rule> out = new ArrayList<>();
    for (int i = 0; i < values.size(); i++) {
      Rule r = rule(values.get(i), at.index(i));
      if (r != null) {
        out.add(r);
      }
    }
    return at.errorCount() > before ? null : new FilterStateRules(out);
  }

  private static Rule rule(FilterStateValue v, ConfigPath at) {
    Fields.allowOnly(v, at, Set.of("object_key", "factory_key", "format_string", "read_only",
        "shared_with_upstream", "skip_if_empty"));
    if (v.getObjectKey().isEmpty()) {
      at.field("object_key").error("set_filter_state needs an object_key");
      return null;
    }
    String factory = v.getFactoryKey().isEmpty() ? v.getObjectKey() : v.getFactoryKey();
    boolean address = ADDRESS_KEYS.contains(factory);
    if (!address && !factory.equals(STRING_FACTORY) && !factory.equals(HASHABLE_STRING_FACTORY)) {
      ConfigPath fa = at.field(v.getFactoryKey().isEmpty() ? "object_key" : "factory_key");
      fa.error("filter state factory '" + factory + "' is not supported by Egret (supported: " + STRING_FACTORY
          + ", " + HASHABLE_STRING_FACTORY + ", and the address keys " + ADDRESS_KEYS.stream().sorted().toList() + ")");
      return null;
    }
    if (!v.hasFormatString()) {
      at.field("format_string").error("set_filter_state needs a format_string");
      return null;
    }
    AccessLogFormat format = format(v.getFormatString(), at.field("format_string"));
    FilterState.Sharing sharing = switch (v.getSharedWithUpstream()) {
      case NONE -> FilterState.Sharing.NONE;
      case ONCE -> FilterState.Sharing.SHARED_WITH_UPSTREAM_CONNECTION;
      case TRANSITIVE -> FilterState.Sharing.SHARED_WITH_UPSTREAM_CONNECTION_ONCE_AND_ALL;
      case UNRECOGNIZED -> {
        at.field("shared_with_upstream").error("unknown shared_with_upstream " + v.getSharedWithUpstreamValue());
        yield null;
      }
    };
    if (format == null || sharing == null) {
      return null;
    }
    return new Rule(v.getObjectKey(), address, format, v.getReadOnly(), sharing, v.getSkipIfEmpty());
  }

  /** A text {@code SubstitutionFormatString}: {@code text_format} or an inline {@code text_format_source}. */
  static AccessLogFormat format(SubstitutionFormatString s, ConfigPath at) {
    Fields.allowOnly(s, at, Set.of("text_format", "text_format_source", "omit_empty_values"));
    String text;
    switch (s.getFormatCase()) {
      case TEXT_FORMAT -> text = s.getTextFormat();
      case TEXT_FORMAT_SOURCE -> {
        DataSource d = s.getTextFormatSource();
        ConfigPath da = at.field("text_format_source");
        Fields.allowOnly(d, da, Set.of("inline_string", "inline_bytes"));
        text = switch (d.getSpecifierCase()) {
          case INLINE_STRING -> d.getInlineString();
          case INLINE_BYTES -> d.getInlineBytes().toStringUtf8();
          default -> {
            da.error("text_format_source needs inline_string or inline_bytes");
            yield null;
          }
        };
      }
      case JSON_FORMAT -> {
        return null; // reported by allowOnly
      }
      default -> {
        at.error("set_filter_state needs a text format (text_format_source or text_format)");
        return null;
      }
    }
    if (text == null) {
      return null;
    }
    int before = at.errorCount();
    AccessLogFormat f = AccessLogFormat.compileText(text, s.getOmitEmptyValues(), List.of(), at);
    return at.errorCount() > before ? null : f;
  }

  /**
   * Evaluates every rule against {@code info} and sets the results in {@code target}, in order (a
   * later rule sees the values of earlier ones through {@code %FILTER_STATE%} when {@code target} is
   * {@code info}'s own state or its parent).
   *
   * @return how many values were set
   */
  public int apply(StreamInfo info, FilterState target) {
    int set = 0;
    for (Rule r : rules) {
      String value = r.format().format(info);
      if (value.isEmpty() && r.skipIfEmpty()) {
        continue;
      }
      if (r.address() && IpPort.parse(value) == null) {
        continue;
      }
      if (target.set(r.objectKey(), new FilterState.Value(value, r.readOnly(), r.sharing()))) {
        set++;
      }
    }
    return set;
  }

  /** The values {@link #apply} would set, by key (for tests and config dumps). */
  public Map<String, String> evaluate(StreamInfo info) {
    Map<String, String> out = new java.util.LinkedHashMap<>();
    for (Rule r : rules) {
      out.put(r.objectKey(), r.format().format(info));
    }
    return out;
  }
}
