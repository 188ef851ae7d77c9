package dev.egret.core.stream;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Envoy's filter state: named values that filters leave for later filters, the router, the access
 * log ({@code %FILTER_STATE(key:PLAIN)%}) and, when marked shared, the upstream connection or the
 * internal listener a stream enters. Istio keeps the caller's SPIFFE id here
 * ({@code io.istio.peer_principal}) and the original destination
 * ({@code envoy.filters.listener.original_dst.local_ip}, …).
 *
 * <p>One instance per connection, and one per HTTP stream whose {@link #parent()} is its
 * connection's: a lookup sees the stream's own values first, then the connection's. Values are kept
 * as strings, which is what every factory Egret supports ({@code envoy.string},
 * {@code istio.hashable_string}, addresses) serializes to. Not thread-safe: written and read on the
 * owning event loop only.
 */
public final class FilterState {
  /** How far a value travels with the stream (Envoy's {@code StreamSharingMayImpactPooling}). */
  public enum Sharing {
    /** Stays with this stream or connection. */
    NONE,
    /** Copied to the upstream connection / internal listener connection once. */
    SHARED_WITH_UPSTREAM_CONNECTION,
    /** Copied onward, and from there onward again. */
    SHARED_WITH_UPSTREAM_CONNECTION_ONCE_AND_ALL
  }

  /**
   * One value.
   *
   * @param value    the value as a string (what {@code FILTER_STATE(key:PLAIN)} prints)
   * @param readOnly whether a later {@link #set} of the same key is refused
   * @param sharing  whether it travels upstream
   */
  public record Value(String value, boolean readOnly, Sharing sharing) {
    public Value {
      requireNonNull(value, "value");
      requireNonNull(sharing, "sharing");
    }
  }

  private final FilterState parent; // nullable: a connection's state has none
  private Map<String, Value> values; // lazily made: most streams carry none

  public FilterState(FilterState parent) {
    this.parent = parent;
  }

  /** A connection-level state with no parent. */
  public static FilterState forConnection() {
    return new FilterState(null);
  }

  /** The connection's state for a stream's, or null. */
  public FilterState parent() {
    return parent;
  }

  /** The value of {@code key}, looking in this state, then its parent; null when absent. */
  public Value get(String key) {
    Value v = values == null ? null : values.get(key);
    if (v == null && parent != null) {
      return parent.get(key);
    }
    return v;
  }

  /** The string value of {@code key}, or null. */
  public String getString(String key) {
    Value v = get(key);
    return v == null ? null : v.value();
  }

  /**
   * Sets {@code key}. Returns false, changing nothing, when this state (or its parent) already holds
   * a read-only value for the key, as Envoy refuses to overwrite one.
   */
  public boolean set(String key, Value value) {
    requireNonNull(key, "key");
    requireNonNull(value, "value");
    Value existing = get(key);
    if (existing != null && existing.readOnly()) {
      return false;
    }
    if (values == null) {
      values = new LinkedHashMap<>(4);
    }
    values.put(key, value);
    return true;
  }

  /** Sets a plain, writable, unshared string. */
  public boolean setString(String key, String value) {
    return set(key, new Value(value, false, Sharing.NONE));
  }

  /** This state's own values (not the parent's), in the order set. */
  public Map<String, Value> own() {
    return values == null ? Map.of() : Collections.unmodifiableMap(values);
  }

  /**
   * The values a connection made for this stream starts with: the parent's and this state's values
   * marked shared, the stream's winning over the connection's. A value shared once arrives unshared.
   */
  public FilterState sharedWithUpstream() {
    FilterState out = forConnection();
    copyShared(parent, out);
    copyShared(this, out);
    return out;
  }

  private static void copyShared(FilterState from, FilterState to) {
    if (from == null || from.values == null) {
      return;
    }
    for (Map.Entry<String, Value> e : from.values.entrySet()) {
      Value v = e.getValue();
      switch (v.sharing()) {
        case NONE -> { }
        case SHARED_WITH_UPSTREAM_CONNECTION ->
            to.values().put(e.getKey(), new Value(v.value(), v.readOnly(), Sharing.NONE));
        case SHARED_WITH_UPSTREAM_CONNECTION_ONCE_AND_ALL -> to.values().put(e.getKey(), v);
      }
    }
  }

  private Map<String, Value> values() {
    if (values == null) {
      values = new LinkedHashMap<>(4);
    }
    return values;
  }
}
