package dev.egret.core.route;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Virtual-host lookup by request host, in Envoy's order: exact domain, then the longest suffix
 * wildcard ({@code *.example.com}, {@code *-bar.foo.com}), then the longest prefix wildcard
 * ({@code foo.*}), then the catch-all {@code *}. A wildcard never matches an empty remainder:
 * {@code *.foo.com} does not match {@code .foo.com}.
 *
 * <p>Cost: one hash lookup for exact domains, then at most one hash probe per distinct wildcard
 * length (longest first). Probes hash a region of the host in place, so a lookup allocates nothing.
 * Keys and hosts are expected in lower case.
 */
final class DomainIndex<V> {
  private final Map<String, V> exact;
  private final LengthTable<V>[] suffixes; // longest first
  private final LengthTable<V>[] prefixes; // longest first
  private final V catchAll;

  private DomainIndex(Map<String, V> exact, LengthTable<V>[] suffixes, LengthTable<V>[] prefixes, V catchAll) {
    this.exact = exact;
    this.suffixes = suffixes;
    this.prefixes = prefixes;
    this.catchAll = catchAll;
  }

  /** True when the only domain is {@code *} (or there is none): no host is needed to decide. */
  boolean onlyCatchAll() {
    return exact.isEmpty() && suffixes.length == 0 && prefixes.length == 0;
  }

  V catchAll() {
    return catchAll;
  }

  /** The value for a lower-case host, or null. */
  V find(String host) {
    V v = exact.get(host);
    if (v != null) {
      return v;
    }
    int n = host.length();
    for (LengthTable<V> t : suffixes) {
      if (t.length < n) {
        v = t.get(host, n - t.length);
        if (v != null) {
          return v;
        }
      }
    }
    for (LengthTable<V> t : prefixes) {
      if (t.length < n) {
        v = t.get(host, 0);
        if (v != null) {
          return v;
        }
      }
    }
    return catchAll;
  }

  static <V> Builder<V> builder() {
    return new Builder<>();
  }

  /** Collects domains; not thread-safe, used only while compiling. */
  static final class Builder<V> {
    private final Map<String, V> exact = new HashMap<>();
    private final TreeMap<Integer, Map<String, V>> suffixes = new TreeMap<>();
    private final TreeMap<Integer, Map<String, V>> prefixes = new TreeMap<>();
    private V catchAll;

    /**
     * Adds a lower-case domain.
     *
     * @return false when the domain (or a second {@code *}) was already added
     */
    boolean add(String domain, V value) {
      if (domain.equals("*")) {
        if (catchAll != null) {
          return false;
        }
        catchAll = value;
        return true;
      }
      if (domain.startsWith("*")) {
        String key = domain.substring(1);
        return suffixes.computeIfAbsent(key.length(), k -> new HashMap<>()).putIfAbsent(key, value) == null;
      }
      if (domain.endsWith("*")) {
        String key = domain.substring(0, domain.length() - 1);
        return prefixes.computeIfAbsent(key.length(), k -> new HashMap<>()).putIfAbsent(key, value) == null;
      }
      return exact.putIfAbsent(domain, value) == null;
    }

    DomainIndex<V> build() {
      return new DomainIndex<>(Map.copyOf(exact), tables(suffixes), tables(prefixes), catchAll);
    }

    @SuppressWarnings("unchecked")
    private static <V> LengthTable<V>[] tables(TreeMap<Integer, Map<String, V>> byLength) {
      LengthTable<V>[] out = new LengthTable[byLength.size()];
      int i = 0;
      for (Map.Entry<Integer, Map<String, V>> e : byLength.descendingMap().entrySet()) {
        out[i++] = new LengthTable<>(e.getKey(), e.getValue());
      }
      return out;
    }
  }

  /** Open-addressing table of same-length keys, probed with a region of a longer string. */
  private static final class LengthTable<V> {
    final int length;
    private final String[] keys;
    private final Object[] values;
    private final int mask;

    LengthTable(int length, Map<String, V> entries) {
      this.length = length;
      int size = 2;
      while (size <= entries.size() * 2) { // always a free slot, so probes end
        size <<= 1;
      }
      keys = new String[size];
      values = new Object[size];
      mask = size - 1;
      for (Map.Entry<String, V> e : entries.entrySet()) {
        int i = hash(e.getKey(), 0, length) & mask;
        while (keys[i] != null) {
          i = (i + 1) & mask;
        }
        keys[i] = e.getKey();
        values[i] = e.getValue();
      }
    }

    @SuppressWarnings("unchecked")
    V get(String s, int off) {
      for (int i = hash(s, off, length) & mask; ; i = (i + 1) & mask) {
        String k = keys[i];
        if (k == null) {
          return null;
        }
        if (s.regionMatches(off, k, 0, length)) {
          return (V) values[i];
        }
      }
    }

    private static int hash(String s, int off, int len) {
      int h = 0;
      for (int i = 0; i < len; i++) {
        h = 31 * h + s.charAt(off + i);
      }
      return h ^ (h >>> 16);
    }
  }
}
