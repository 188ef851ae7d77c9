package dev.egret.core.listener;

import dev.egret.core.config.ConfigPath;
import dev.egret.core.config.Fields;
import io.envoyproxy.envoy.config.listener.v3.ListenerFilterChainMatchPredicate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.IntPredicate;

/**
 * A compiled {@code ListenerFilterChainMatchPredicate} (a listener filter's {@code filter_disabled}):
 * {@code destination_port_range} (start inclusive, end exclusive), {@code and_match},
 * {@code or_match}, {@code not_match} and {@code any_match}, evaluated on the destination port.
 */
final class PortPredicate {
  private PortPredicate() {}

  /** Null after reporting an error at {@code at}. */
  static IntPredicate compile(ListenerFilterChainMatchPredicate p, ConfigPath at) {
    Fields.allowOnly(p, at, Set.of("or_match", "and_match", "not_match", "any_match", "destination_port_range"));
    return switch (p.getRuleCase()) {
      case ANY_MATCH -> port -> p.getAnyMatch();
      case DESTINATION_PORT_RANGE -> {
        long start = p.getDestinationPortRange().getStart();
        long end = p.getDestinationPortRange().getEnd();
        if (end < start) {
          at.field("destination_port_range").error("end " + end + " must not be before start " + start);
        }
        yield port -> port >= start && port < end;
      }
      case NOT_MATCH -> {
        IntPredicate inner = compile(p.getNotMatch(), at.field("not_match"));
        yield inner == null ? null : inner.negate();
      }
      case AND_MATCH, OR_MATCH -> {
        boolean and = p.getRuleCase() == ListenerFilterChainMatchPredicate.RuleCase.AND_MATCH;
        List<ListenerFilterChainMatchPredicate> rules = and ? p.getAndMatch().getRulesList() : p.getOrMatch().getRulesList();
        ConfigPath ra = at.field(and ? "and_match" : "or_match").field("rules");
        List<IntPredicate> inner = new ArrayList<>();
        for (int i = 0; i < rules.size(); i++) {
          IntPredicate q = compile(rules.get(i), ra.index(i));
          if (q == null) {
            yield null;
          }
          inner.add(q);
        }
        if (inner.size() < 2) {
          ra.error("needs at least two rules");
          yield null;
        }
        List<IntPredicate> all = List.copyOf(inner);
        yield and ? port -> all.stream().allMatch(q -> q.test(port)) : port -> all.stream().anyMatch(q -> q.test(port));
      }
      case RULE_NOT_SET -> {
        at.error("a filter_disabled predicate needs a rule");
        yield null;
      }
    };
  }
}
