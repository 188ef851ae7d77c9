package dev.egret.core.listener;

import static java.util.Objects.requireNonNull;

import dev.egret.core.match.StringMatch;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * A compiled unified {@code filter_chain_matcher} ({@code xds.type.matcher.v3.Matcher}) whose actions
 * name filter chains. Semantics (xDS matching API): a matcher tree looks its input up in an exact map,
 * a prefix map (longest prefix first) or an {@code IPMatcher} (most specific range first); a matcher
 * list takes the first field matcher whose predicate holds. When the chosen entry's nested matcher
 * does not match, the entry counts as not matched: a list goes on to its next field matcher, a prefix
 * map or IP matcher to its next less specific entry (an {@code exclusive} IP range stops there), and
 * finally the matcher's {@code on_no_match} applies. An input with no data matches nothing.
 */
public final class FilterChainMatcher {
  private final Node root;

  FilterChainMatcher(Node root) {
    this.root = requireNonNull(root, "root");
  }

  /** The name of the chosen chain, or null when nothing matched. */
  public String match(ConnectionFacts f) {
    return root.match(f);
  }

  /** A matcher: the action's chain name, or null for no match. */
  interface Node {
    String match(ConnectionFacts f);
  }

  /** An {@code OnMatch}: an action (chain name) or a nested matcher. */
  record OnMatch(String action, Node nested) {
    String resolve(ConnectionFacts f) {
      return action != null ? action : nested.match(f);
    }
  }

  /** Falls back to {@code onNoMatch} (nullable) when {@code result} is null. */
  private static String orElse(String result, OnMatch onNoMatch, ConnectionFacts f) {
    if (result != null) {
      return result;
    }
    return onNoMatch == null ? null : onNoMatch.resolve(f);
  }

  record ExactMap(NetworkInput input, Map<String, OnMatch> map, OnMatch onNoMatch) implements Node {
    @Override
    public String match(ConnectionFacts f) {
      String v = input.read(f);
      OnMatch m = v == null ? null : map.get(v);
      return orElse(m == null ? null : m.resolve(f), onNoMatch, f);
    }
  }

  /** Entries sorted longest prefix first. */
  record PrefixMap(NetworkInput input, List<Map.Entry<String, OnMatch>> entries, OnMatch onNoMatch) implements Node {
    @Override
    public String match(ConnectionFacts f) {
      String v = input.read(f);
      String result = null;
      if (v != null) {
        for (Map.Entry<String, OnMatch> e : entries) {
          if (v.startsWith(e.getKey())) {
            result = e.getValue().resolve(f);
            if (result != null) {
              break;
            }
          }
        }
      }
      return orElse(result, onNoMatch, f);
    }
  }

  /** One {@code IPMatcher.IPRangeMatcher}. */
  record IpRange(List<CidrRange> ranges, OnMatch onMatch, boolean exclusive) {}

  record IpMatcher(NetworkInput.Ip input, List<IpRange> ranges, OnMatch onNoMatch) implements Node {
    @Override
    public String match(ConnectionFacts f) {
      InetAddress a = input.address(f);
      String result = null;
      if (a != null) {
        List<int[]> hits = new ArrayList<>(2); // {index, prefix length}
        for (int i = 0; i < ranges.size(); i++) {
          int best = -1;
          for (CidrRange r : ranges.get(i).ranges()) {
            if (r.prefixLen() > best && r.contains(a)) {
              best = r.prefixLen();
            }
          }
          if (best >= 0) {
            hits.add(new int[] {i, best});
          }
        }
        hits.sort(Comparator.comparingInt((int[] h) -> -h[1]));
        for (int[] h : hits) {
          IpRange r = ranges.get(h[0]);
          result = r.onMatch().resolve(f);
          if (result != null || r.exclusive()) {
            break;
          }
        }
      }
      return orElse(result, onNoMatch, f);
    }
  }

  /** A predicate of a matcher list. */
  interface Predicate {
    boolean test(ConnectionFacts f);
  }

  record Single(NetworkInput input, StringMatch value) implements Predicate {
    @Override
    public boolean test(ConnectionFacts f) {
      String v = input.read(f);
      return v != null && value.matches(v);
    }
  }

  record SingleIp(NetworkInput.Ip input, List<CidrRange> ranges) implements Predicate {
    @Override
    public boolean test(ConnectionFacts f) {
      InetAddress a = input.address(f);
      return a != null && ranges.stream().anyMatch(r -> r.contains(a));
    }
  }

  record And(List<Predicate> all) implements Predicate {
    @Override
    public boolean test(ConnectionFacts f) {
      for (Predicate p : all) {
        if (!p.test(f)) {
          return false;
        }
      }
      return true;
    }
  }

  record Or(List<Predicate> any) implements Predicate {
    @Override
    public boolean test(ConnectionFacts f) {
      for (Predicate p : any) {
        if (p.test(f)) {
          return true;
        }
      }
      return false;
    }
  }

  record Not(Predicate p) implements Predicate {
    @Override
    public boolean test(ConnectionFacts f) {
      return !p.test(f);
    }
  }

  record FieldMatcher(Predicate predicate, OnMatch onMatch) {}

  record MatcherList(List<FieldMatcher> matchers, OnMatch onNoMatch) implements Node {
    @Override
    public String match(ConnectionFacts f) {
      String result = null;
      for (FieldMatcher m : matchers) {
        if (m.predicate().test(f)) {
          result = m.onMatch().resolve(f);
          if (result != null) {
            break;
          }
        }
      }
      return orElse(result, onNoMatch, f);
    }
  }

  /** Only {@code on_no_match}. */
  record OnlyNoMatch(OnMatch onNoMatch) implements Node {
    @Override
    public String match(ConnectionFacts f) {
      return orElse(null, onNoMatch, f);
    }
  }
}
