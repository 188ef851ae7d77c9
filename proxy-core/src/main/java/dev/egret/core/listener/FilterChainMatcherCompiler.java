package dev.egret.core.listener;

import com.github.xds.core.v3.TypedExtensionConfig;
import com.github.xds.type.matcher.v3.IPMatcher;
import com.github.xds.type.matcher.v3.Matcher;
import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.StringValue;
import dev.egret.core.config.ConfigPath;
import dev.egret.core.config.Fields;
import dev.egret.core.match.StringMatch;
import io.envoyproxy.envoy.extensions.matching.common_inputs.network.v3.FilterStateInput;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Compiles a listener's {@code filter_chain_matcher} into a {@link FilterChainMatcher}. Inputs (type
 * URLs {@code envoy.extensions.matching.common_inputs.network.v3.*}): {@code DestinationIPInput},
 * {@code DestinationPortInput}, {@code SourceIPInput}, {@code DirectSourceIPInput},
 * {@code SourcePortInput}, {@code SourceTypeInput}, {@code ServerNameInput},
 * {@code TransportProtocolInput}, {@code ApplicationProtocolInput}, {@code FilterStateInput}.
 * Matchers: {@code matcher_tree} with {@code exact_match_map}, {@code prefix_match_map} or
 * {@code custom_match} {@code xds.type.matcher.v3.IPMatcher}; {@code matcher_list} with
 * {@code single_predicate} ({@code value_match}, or {@code custom_match} IPMatcher ranges on an IP
 * input), {@code and_matcher}, {@code or_matcher}, {@code not_matcher}. Every action must be a
 * {@code google.protobuf.StringValue} naming one of the listener's filter chains. Anything else is
 * rejected with its path.
 */
public final class FilterChainMatcherCompiler {
  static final String INPUT_PREFIX = "type.googleapis.com/envoy.extensions.matching.common_inputs.network.v3.";
  static final String IP_MATCHER = "type.googleapis.com/xds.type.matcher.v3.IPMatcher";
  static final String STRING_VALUE = "type.googleapis.com/google.protobuf.StringValue";
  private static final int MAX_DEPTH = 16;

  private final Set<String> chainNames;

  private FilterChainMatcherCompiler(Set<String> chainNames) {
    this.chainNames = Set.copyOf(chainNames);
  }

  /** The matcher, or null after reporting at {@code at}. */
  public static FilterChainMatcher compile(Matcher m, ConfigPath at, Set<String> chainNames) {
    int before = at.errorCount();
    FilterChainMatcher.Node root = new FilterChainMatcherCompiler(chainNames).matcher(m, at, 0);
    return at.errorCount() > before || root == null ? null : new FilterChainMatcher(root);
  }

  private FilterChainMatcher.Node matcher(Matcher m, ConfigPath at, int depth) {
    Fields.allowOnly(m, at, Set.of("matcher_list", "matcher_tree", "on_no_match"));
    if (depth > MAX_DEPTH) {
      at.error("matchers must not nest deeper than " + MAX_DEPTH + " levels");
      return null;
    }
    FilterChainMatcher.OnMatch onNoMatch = m.hasOnNoMatch() ? onMatch(m.getOnNoMatch(), at.field("on_no_match"), depth) : null;
    return switch (m.getMatcherTypeCase()) {
      case MATCHER_TREE -> tree(m.getMatcherTree(), at.field("matcher_tree"), onNoMatch, depth);
      case MATCHER_LIST -> list(m.getMatcherList(), at.field("matcher_list"), onNoMatch, depth);
      case MATCHERTYPE_NOT_SET -> new FilterChainMatcher.OnlyNoMatch(onNoMatch);
    };
  }

  private FilterChainMatcher.OnMatch onMatch(Matcher.OnMatch o, ConfigPath at, int depth) {
    Fields.allowOnly(o, at, Set.of("matcher", "action"));
    switch (o.getOnMatchCase()) {
      case ACTION -> {
        String name = action(o.getAction(), at.field("action"));
        return name == null ? null : new FilterChainMatcher.OnMatch(name, null);
      }
      case MATCHER -> {
        FilterChainMatcher.Node n = matcher(o.getMatcher(), at.field("matcher"), depth + 1);
        return n == null ? null : new FilterChainMatcher.OnMatch(null, n);
      }
      default -> {
        at.error("on_match needs a matcher or an action");
        return null;
      }
    }
  }

  private String action(TypedExtensionConfig a, ConfigPath at) {
    Fields.allowOnly(a, at, Set.of("name", "typed_config"));
    Any any = a.getTypedConfig();
    if (!any.getTypeUrl().equals(STRING_VALUE)) {
      at.field("typed_config").error("a filter chain matcher action must be " + STRING_VALUE + " naming a filter chain, not "
          + (any.getTypeUrl().isEmpty() ? "nothing" : any.getTypeUrl()));
      return null;
    }
    String name;
    try {
      name = any.unpack(StringValue.class).getValue();
    } catch (InvalidProtocolBufferException e) {
      at.field("typed_config").error("cannot decode " + STRING_VALUE + ": " + e.getMessage());
      return null;
    }
    // A name with no chain is not an error (Envoy): the match fails and the default chain, if any,
    // takes the connection. istiod names chains for every service it knows, some not in the listener.
    return name;
  }

  private FilterChainMatcher.Node tree(Matcher.MatcherTree t, ConfigPath at, FilterChainMatcher.OnMatch onNoMatch,
      int depth) {
    Fields.allowOnly(t, at, Set.of("input", "exact_match_map", "prefix_match_map", "custom_match"));
    NetworkInput input = input(t.getInput(), at.field("input"));
    switch (t.getTreeTypeCase()) {
      case EXACT_MATCH_MAP, PREFIX_MATCH_MAP -> {
        boolean exact = t.getTreeTypeCase() == Matcher.MatcherTree.TreeTypeCase.EXACT_MATCH_MAP;
        Matcher.MatcherTree.MatchMap map = exact ? t.getExactMatchMap() : t.getPrefixMatchMap();
        ConfigPath ma = at.field(exact ? "exact_match_map" : "prefix_match_map");
        Fields.allowOnly(map, ma, Set.of("map"));
        Map<String, FilterChainMatcher.OnMatch> out = new LinkedHashMap<>();
        for (Map.Entry<String, Matcher.OnMatch> e : new java.util.TreeMap<>(map.getMapMap()).entrySet()) {
          FilterChainMatcher.OnMatch o = onMatch(e.getValue(), ma.field("map").field(e.getKey()), depth);
          if (o != null) {
            out.put(e.getKey(), o);
          }
        }
        if (input == null) {
          return null;
        }
        if (exact) {
          return new FilterChainMatcher.ExactMap(input, Map.copyOf(out), onNoMatch);
        }
        List<Map.Entry<String, FilterChainMatcher.OnMatch>> entries = new ArrayList<>(out.entrySet());
        entries.sort(Comparator.comparingInt((Map.Entry<String, FilterChainMatcher.OnMatch> e) -> -e.getKey().length()));
        return new FilterChainMatcher.PrefixMap(input, List.copyOf(entries), onNoMatch);
      }
      case CUSTOM_MATCH -> {
        List<FilterChainMatcher.IpRange> ranges = ipMatcher(t.getCustomMatch(), at.field("custom_match"), depth);
        if (input == null || ranges == null) {
          return null;
        }
        if (!(input instanceof NetworkInput.Ip ip)) {
          at.field("input").error("an IPMatcher needs an IP input (DestinationIPInput, SourceIPInput, "
              + "DirectSourceIPInput)");
          return null;
        }
        return new FilterChainMatcher.IpMatcher(ip, ranges, onNoMatch);
      }
      default -> {
        at.error("matcher_tree needs exact_match_map, prefix_match_map or custom_match");
        return null;
      }
    }
  }

  private List<FilterChainMatcher.IpRange> ipMatcher(TypedExtensionConfig c, ConfigPath at, int depth) {
    Fields.allowOnly(c, at, Set.of("name", "typed_config"));
    ConfigPath ta = at.field("typed_config");
    if (!c.getTypedConfig().getTypeUrl().equals(IP_MATCHER)) {
      ta.error("custom matcher " + c.getTypedConfig().getTypeUrl() + " is not supported by Egret (only " + IP_MATCHER + ")");
      return null;
    }
    IPMatcher ipm;
    try {
      ipm = c.getTypedConfig().unpack(IPMatcher.class);
    } catch (InvalidProtocolBufferException e) {
      ta.error("cannot decode " + IP_MATCHER + ": " + e.getMessage());
      return null;
    }
    Fields.allowOnly(ipm, ta, Set.of("range_matchers"));
    List<FilterChainMatcher.IpRange> out = new ArrayList<>();
    boolean ok = true;
    for (int i = 0; i < ipm.getRangeMatchersCount(); i++) {
      IPMatcher.IPRangeMatcher r = ipm.getRangeMatchers(i);
      ConfigPath ra = ta.field("range_matchers").index(i);
      Fields.allowOnly(r, ra, Set.of("ranges", "on_match", "exclusive"));
      List<CidrRange> cidrs = cidrs(r.getRangesList(), ra.field("ranges"));
      if (!r.hasOnMatch()) {
        ra.field("on_match").error("a range matcher needs on_match");
        ok = false;
        continue;
      }
      FilterChainMatcher.OnMatch o = onMatch(r.getOnMatch(), ra.field("on_match"), depth);
      if (cidrs == null || o == null) {
        ok = false;
        continue;
      }
      out.add(new FilterChainMatcher.IpRange(cidrs, o, r.getExclusive()));
    }
    return ok ? List.copyOf(out) : null;
  }

  private static List<CidrRange> cidrs(List<com.github.xds.core.v3.CidrRange> ranges, ConfigPath at) {
    List<CidrRange> out = new ArrayList<>();
    boolean ok = true;
    for (int j = 0; j < ranges.size(); j++) {
      CidrRange cr = CidrRange.compile(ranges.get(j), at.index(j));
      if (cr == null) {
        ok = false;
      } else {
        out.add(cr);
      }
    }
    if (ranges.isEmpty()) {
      at.error("needs at least one range");
      return null;
    }
    return ok ? List.copyOf(out) : null;
  }

  private FilterChainMatcher.Node list(Matcher.MatcherList l, ConfigPath at, FilterChainMatcher.OnMatch onNoMatch,
      int depth) {
    Fields.allowOnly(l, at, Set.of("matchers"));
    if (l.getMatchersCount() == 0) {
      at.field("matchers").error("matcher_list needs at least one matcher");
      return null;
    }
    List<FilterChainMatcher.FieldMatcher> out = new ArrayList<>();
    boolean ok = true;
    for (int i = 0; i < l.getMatchersCount(); i++) {
      Matcher.MatcherList.FieldMatcher fm = l.getMatchers(i);
      ConfigPath fa = at.field("matchers").index(i);
      Fields.allowOnly(fm, fa, Set.of("predicate", "on_match"));
      FilterChainMatcher.Predicate p = predicate(fm.getPredicate(), fa.field("predicate"), 0);
      FilterChainMatcher.OnMatch o = fm.hasOnMatch() ? onMatch(fm.getOnMatch(), fa.field("on_match"), depth) : null;
      if (!fm.hasOnMatch()) {
        fa.field("on_match").error("a field matcher needs on_match");
      }
      if (p == null || o == null) {
        ok = false;
        continue;
      }
      out.add(new FilterChainMatcher.FieldMatcher(p, o));
    }
    return ok ? new FilterChainMatcher.MatcherList(List.copyOf(out), onNoMatch) : null;
  }

  private FilterChainMatcher.Predicate predicate(Matcher.MatcherList.Predicate p, ConfigPath at, int depth) {
    Fields.allowOnly(p, at, Set.of("single_predicate", "or_matcher", "and_matcher", "not_matcher"));
    if (depth > MAX_DEPTH) {
      at.error("predicates must not nest deeper than " + MAX_DEPTH + " levels");
      return null;
    }
    switch (p.getMatchTypeCase()) {
      case SINGLE_PREDICATE -> {
        return single(p.getSinglePredicate(), at.field("single_predicate"));
      }
      case OR_MATCHER, AND_MATCHER -> {
        boolean and = p.getMatchTypeCase() == Matcher.MatcherList.Predicate.MatchTypeCase.AND_MATCHER;
        Matcher.MatcherList.Predicate.PredicateList pl = and ? p.getAndMatcher() : p.getOrMatcher();
        ConfigPath la = at.field(and ? "and_matcher" : "or_matcher");
        Fields.allowOnly(pl, la, Set.of("predicate"));
        if (pl.getPredicateCount() < 2) {
          la.field("predicate").error("needs at least two predicates");
          return null;
        }
        List<FilterChainMatcher.Predicate> out = new ArrayList<>();
        for (int i = 0; i < pl.getPredicateCount(); i++) {
          FilterChainMatcher.Predicate q = predicate(pl.getPredicate(i), la.field("predicate").index(i), depth + 1);
          if (q == null) {
            return null;
          }
          out.add(q);
        }
        return and ? new FilterChainMatcher.And(List.copyOf(out)) : new FilterChainMatcher.Or(List.copyOf(out));
      }
      case NOT_MATCHER -> {
        FilterChainMatcher.Predicate q = predicate(p.getNotMatcher(), at.field("not_matcher"), depth + 1);
        return q == null ? null : new FilterChainMatcher.Not(q);
      }
      default -> {
        at.error("a predicate needs single_predicate, or_matcher, and_matcher or not_matcher");
        return null;
      }
    }
  }

  private FilterChainMatcher.Predicate single(Matcher.MatcherList.Predicate.SinglePredicate s, ConfigPath at) {
    Fields.allowOnly(s, at, Set.of("input", "value_match", "custom_match"));
    NetworkInput input = input(s.getInput(), at.field("input"));
    switch (s.getMatcherCase()) {
      case VALUE_MATCH -> {
        StringMatch m = StringMatch.compile(envoyStringMatcher(s.getValueMatch()), at.field("value_match"));
        return input == null || m == null ? null : new FilterChainMatcher.Single(input, m);
      }
      case CUSTOM_MATCH -> {
        // An IPMatcher as a predicate: true when the address is in any range of any range matcher.
        TypedExtensionConfig c = s.getCustomMatch();
        ConfigPath ca = at.field("custom_match");
        if (!c.getTypedConfig().getTypeUrl().equals(IP_MATCHER)) {
          ca.field("typed_config").error("custom matcher " + c.getTypedConfig().getTypeUrl()
              + " is not supported by Egret (only " + IP_MATCHER + ")");
          return null;
        }
        IPMatcher ipm;
        try {
          ipm = c.getTypedConfig().unpack(IPMatcher.class);
        } catch (InvalidProtocolBufferException e) {
          ca.field("typed_config").error("cannot decode " + IP_MATCHER + ": " + e.getMessage());
          return null;
        }
        List<CidrRange> all = new ArrayList<>();
        for (int i = 0; i < ipm.getRangeMatchersCount(); i++) {
          ConfigPath ra = ca.field("typed_config").field("range_matchers").index(i);
          Fields.allowOnly(ipm.getRangeMatchers(i), ra, Set.of("ranges", "exclusive"));
          List<CidrRange> cidrs = cidrs(ipm.getRangeMatchers(i).getRangesList(), ra.field("ranges"));
          if (cidrs == null) {
            return null;
          }
          all.addAll(cidrs);
        }
        if (!(input instanceof NetworkInput.Ip ip)) {
          if (input != null) {
            at.field("input").error("an IPMatcher needs an IP input");
          }
          return null;
        }
        return new FilterChainMatcher.SingleIp(ip, List.copyOf(all));
      }
      default -> {
        at.error("single_predicate needs value_match or custom_match");
        return null;
      }
    }
  }

  /**
   * The xDS {@code StringMatcher} as Envoy's: the two messages share field names and numbers, so the
   * bytes of one are the other, and {@link StringMatch} compiles (and checks) it with the same paths.
   */
  private static StringMatcher envoyStringMatcher(com.github.xds.type.matcher.v3.StringMatcher m) {
    try {
      return StringMatcher.parseFrom(m.toByteString());
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("xds and envoy StringMatcher are wire compatible", e);
    }
  }

  private static NetworkInput input(TypedExtensionConfig c, ConfigPath at) {
    Fields.allowOnly(c, at, Set.of("name", "typed_config"));
    String type = c.getTypedConfig().getTypeUrl();
    if (!type.startsWith(INPUT_PREFIX)) {
      at.field("typed_config").error("input " + (type.isEmpty() ? "(none)" : type)
          + " is not a network input Egret supports");
      return null;
    }
    String name = type.substring(INPUT_PREFIX.length());
    NetworkInput in = switch (name) {
      case "DestinationIPInput" -> NetworkInput.Ip.DESTINATION;
      case "SourceIPInput" -> NetworkInput.Ip.SOURCE;
      case "DirectSourceIPInput" -> NetworkInput.Ip.DIRECT_SOURCE;
      case "DestinationPortInput" -> NetworkInput.Simple.DESTINATION_PORT;
      case "SourcePortInput" -> NetworkInput.Simple.SOURCE_PORT;
      case "ServerNameInput" -> NetworkInput.Simple.SERVER_NAME;
      case "TransportProtocolInput" -> NetworkInput.Simple.TRANSPORT_PROTOCOL;
      case "ApplicationProtocolInput" -> NetworkInput.Simple.APPLICATION_PROTOCOL;
      case "SourceTypeInput" -> NetworkInput.Simple.SOURCE_TYPE;
      case "FilterStateInput" -> {
        try {
          FilterStateInput f = c.getTypedConfig().unpack(FilterStateInput.class);
          Fields.allowOnly(f, at.field("typed_config"), Set.of("key"));
          if (f.getKey().isEmpty()) {
            at.field("typed_config").field("key").error("FilterStateInput needs a key");
            yield null;
          }
          yield new NetworkInput.FilterState(f.getKey());
        } catch (InvalidProtocolBufferException e) {
          at.field("typed_config").error("cannot decode " + type + ": " + e.getMessage());
          yield null;
        }
      }
      default -> null;
    };
    if (in == null && !name.equals("FilterStateInput")) {
      at.field("typed_config").error("input " + type + " is not supported by Egret");
      return null;
    }
    if (in != null && !name.equals("FilterStateInput")) {
      checkEmpty(c.getTypedConfig(), name, at.field("typed_config"));
    }
    return in;
  }

  /** The parameterless inputs carry no fields; reject any that are set. */
  private static void checkEmpty(Any any, String name, ConfigPath at) {
    if (!any.getValue().isEmpty()) {
      at.error(name + " must be empty: it takes no fields");
    }
  }
}
