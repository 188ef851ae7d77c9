package dev.egret.filters.rbac;

import com.github.xds.core.v3.TypedExtensionConfig;
import com.github.xds.type.matcher.v3.CelMatcher;
import com.github.xds.type.matcher.v3.Matcher;
import com.github.xds.type.matcher.v3.Matcher.MatcherList.Predicate;
import com.github.xds.type.matcher.v3.Matcher.OnMatch;
import com.github.xds.type.v3.CelExpression;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.egret.core.config.ConfigPath;
import dev.egret.core.config.Fields;
import dev.egret.core.match.StringMatch;
import dev.egret.filters.cel.CelCondition;
import io.envoyproxy.envoy.config.rbac.v3.Action;
import io.envoyproxy.envoy.type.matcher.v3.HttpRequestHeaderMatchInput;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The matcher form of RBAC ({@code RBAC.matcher} / {@code shadow_matcher}, an
 * {@code xds.type.matcher.v3.Matcher}), compiled. A {@code matcher_list} is tried in order; the
 * first entry whose predicate holds gives its {@code on_match}: an {@code envoy.config.rbac.v3.Action}
 * (ALLOW, DENY or LOG, whose name becomes the effective policy id) or a nested matcher, which when it
 * reaches no action lets the list go on. Nothing matched: {@code on_no_match}, else DENY with no
 * policy ({@code [none]}).
 *
 * <p>Predicates: {@code single_predicate}, {@code or_matcher}, {@code and_matcher},
 * {@code not_matcher}. Inputs: {@code xds.type.matcher.v3.HttpAttributesCelMatchInput} with a
 * {@code CelMatcher} custom match (kgateway's CEL RBAC; {@code cel_expr_parsed} is type-checked
 * against {@link dev.egret.filters.cel.CelAttributes}), and
 * {@code envoy.type.matcher.v3.HttpRequestHeaderMatchInput} with a {@code value_match}. Anything
 * else, and {@code matcher_tree}, is refused at its path. Immutable; {@link #evaluate} allocates
 * nothing beyond what CEL evaluation needs.
 */
final class RbacMatcherTree {
  static final String CEL_INPUT = "type.googleapis.com/xds.type.matcher.v3.HttpAttributesCelMatchInput";
  static final String CEL_MATCHER = "type.googleapis.com/xds.type.matcher.v3.CelMatcher";
  static final String HEADER_INPUT = "type.googleapis.com/envoy.type.matcher.v3.HttpRequestHeaderMatchInput";
  static final String ACTION = "type.googleapis.com/envoy.config.rbac.v3.Action";
  private static final RbacDecision NO_MATCH = new RbacDecision(false, null);

  /** One predicate over a request. */
  interface Test {
    boolean test(RbacRequest r);
  }

  /** What a match leads to: a decision, or a nested matcher. */
  private record Outcome(RbacDecision decision, RbacMatcherTree nested) {
    RbacDecision resolve(RbacRequest r) {
      return decision != null ? decision : nested.evaluateOrNull(r);
    }
  }

  private final Test[] predicates;
  private final Outcome[] onMatch;
  private final Outcome onNoMatch; // nullable

  private RbacMatcherTree(List<Test> predicates, List<Outcome> onMatch, Outcome onNoMatch) {
    this.predicates = predicates.toArray(new Test[0]);
    this.onMatch = onMatch.toArray(new Outcome[0]);
    this.onNoMatch = onNoMatch;
  }

  /** The decision: the action reached, or DENY {@code [none]} when none is. */
  RbacDecision evaluate(RbacRequest r) {
    RbacDecision d = evaluateOrNull(r);
    return d == null ? NO_MATCH : d;
  }

  private RbacDecision evaluateOrNull(RbacRequest r) {
    for (int i = 0; i < predicates.length; i++) {
      if (predicates[i].test(r)) {
        RbacDecision d = onMatch[i].resolve(r);
        if (d != null) {
          return d;
        }
      }
    }
    return onNoMatch == null ? null : onNoMatch.resolve(r);
  }

  /** Compiles; null after reporting every problem at {@code at}. */
  static RbacMatcherTree compile(Matcher m, ConfigPath at) {
    int before = at.errorCount();
    RbacMatcherTree t = matcher(m, at, 0);
    return at.errorCount() > before ? null : t;
  }

  private static final int MAX_DEPTH = 16;

  private static RbacMatcherTree matcher(Matcher m, ConfigPath at, int depth) {
    Fields.allowOnly(m, at, Set.of("matcher_list", "on_no_match"));
    if (depth > MAX_DEPTH) {
      at.error("matchers nest deeper than " + MAX_DEPTH + " levels");
      return null;
    }
    List<Test> tests = new ArrayList<>();
    List<Outcome> outcomes = new ArrayList<>();
    if (m.hasMatcherList()) {
      ConfigPath la = at.field("matcher_list");
      Fields.allowOnly(m.getMatcherList(), la, Set.of("matchers"));
      if (m.getMatcherList().getMatchersCount() == 0) {
        la.field("matchers").error("a matcher_list needs at least one matcher");
      }
      for (int i = 0; i < m.getMatcherList().getMatchersCount(); i++) {
        var fm = m.getMatcherList().getMatchers(i);
        ConfigPath fa = la.field("matchers").index(i);
        Fields.allowOnly(fm, fa, Set.of("predicate", "on_match"));
        if (!fm.hasPredicate()) {
          fa.field("predicate").error("predicate is required");
        }
        if (!fm.hasOnMatch()) {
          fa.field("on_match").error("on_match is required");
        }
        tests.add(predicate(fm.getPredicate(), fa.field("predicate")));
        outcomes.add(onMatch(fm.getOnMatch(), fa.field("on_match"), depth));
      }
    }
    Outcome noMatch = m.hasOnNoMatch() ? onMatch(m.getOnNoMatch(), at.field("on_no_match"), depth) : null;
    return new RbacMatcherTree(tests, outcomes, noMatch);
  }

  private static Outcome onMatch(OnMatch o, ConfigPath at, int depth) {
    Fields.allowOnly(o, at, Set.of("matcher", "action"));
    switch (o.getOnMatchCase()) {
      case MATCHER -> {
        return new Outcome(null, matcher(o.getMatcher(), at.field("matcher"), depth + 1));
      }
      case ACTION -> {
        return new Outcome(action(o.getAction(), at.field("action")), null);
      }
      default -> {
        at.error("on_match needs one of matcher, action");
        return null;
      }
    }
  }

  private static RbacDecision action(TypedExtensionConfig c, ConfigPath at) {
    ConfigPath ta = at.field("typed_config");
    if (!c.getTypedConfig().getTypeUrl().equals(ACTION)) {
      ta.error("the RBAC matcher's action must be " + ACTION + ", not '" + c.getTypedConfig().getTypeUrl() + "'");
      return null;
    }
    Action a;
    try {
      a = c.getTypedConfig().unpack(Action.class);
    } catch (InvalidProtocolBufferException e) {
      ta.error("cannot decode " + ACTION + ": " + e.getMessage());
      return null;
    }
    Fields.allowOnly(a, ta, Set.of("name", "action"));
    if (a.getName().isEmpty()) {
      ta.field("name").error("the action needs a name (it is the effective policy id)");
    }
    return switch (a.getAction()) {
      case ALLOW, LOG -> new RbacDecision(true, a.getName());
      case DENY -> new RbacDecision(false, a.getName());
      default -> {
        ta.field("action").error("unknown action " + a.getActionValue());
        yield null;
      }
    };
  }

  private static Test predicate(Predicate p, ConfigPath at) {
    Fields.allowOnly(p, at, Set.of("single_predicate", "or_matcher", "and_matcher", "not_matcher"));
    switch (p.getMatchTypeCase()) {
      case SINGLE_PREDICATE -> {
        return single(p.getSinglePredicate(), at.field("single_predicate"));
      }
      case OR_MATCHER, AND_MATCHER -> {
        boolean and = p.getMatchTypeCase() == Predicate.MatchTypeCase.AND_MATCHER;
        ConfigPath la = at.field(and ? "and_matcher" : "or_matcher");
        var list = and ? p.getAndMatcher() : p.getOrMatcher();
        Fields.allowOnly(list, la, Set.of("predicate"));
        if (list.getPredicateCount() < 2) {
          la.field("predicate").error("needs at least two predicates");
        }
        Test[] parts = new Test[list.getPredicateCount()];
        for (int i = 0; i < parts.length; i++) {
          parts[i] = predicate(list.getPredicate(i), la.field("predicate").index(i));
        }
        return and ? r -> {
          for (Test t : parts) {
            if (!t.test(r)) {
              return false;
            }
          }
          return true;
        } : r -> {
          for (Test t : parts) {
            if (t.test(r)) {
              return true;
            }
          }
          return false;
        };
      }
      case NOT_MATCHER -> {
        Test inner = predicate(p.getNotMatcher(), at.field("not_matcher"));
        return inner == null ? null : r -> !inner.test(r);
      }
      default -> {
        at.error("a predicate needs one of single_predicate, or_matcher, and_matcher, not_matcher");
        return null;
      }
    }
  }

  private static Test single(Predicate.SinglePredicate s, ConfigPath at) {
    Fields.allowOnly(s, at, Set.of("input", "value_match", "custom_match"));
    String input = s.getInput().getTypedConfig().getTypeUrl();
    ConfigPath ia = at.field("input").field("typed_config");
    switch (input) {
      case CEL_INPUT -> {
        if (!s.hasCustomMatch()) {
          at.error("HttpAttributesCelMatchInput needs a custom_match with " + CEL_MATCHER);
          return null;
        }
        return cel(s.getCustomMatch(), at.field("custom_match"));
      }
      case HEADER_INPUT -> {
        HttpRequestHeaderMatchInput h;
        try {
          h = s.getInput().getTypedConfig().unpack(HttpRequestHeaderMatchInput.class);
        } catch (InvalidProtocolBufferException e) {
          ia.error("cannot decode " + HEADER_INPUT + ": " + e.getMessage());
          return null;
        }
        Fields.allowOnly(h, ia, Set.of("header_name"));
        if (!s.hasValueMatch()) {
          at.error("HttpRequestHeaderMatchInput needs a value_match");
          return null;
        }
        String name = h.getHeaderName();
        StringMatch m;
        try { // xds and Envoy StringMatchers share their wire format
          m = StringMatch.compile(StringMatcher.parseFrom(s.getValueMatch().toByteString()), at.field("value_match"));
        } catch (InvalidProtocolBufferException e) {
          at.field("value_match").error("cannot read: " + e.getMessage());
          return null;
        }
        if (m == null) {
          return null;
        }
        return r -> {
          List<String> values = r.headers().getAll(name);
          return !values.isEmpty() && m.matches(values.size() == 1 ? values.get(0) : String.join(",", values));
        };
      }
      default -> {
        ia.error("matcher input '" + (input.isEmpty() ? s.getInput().getName() : input)
            + "' is not supported by Egret's RBAC matcher (supported: " + CEL_INPUT + ", " + HEADER_INPUT + ")");
        return null;
      }
    }
  }

  private static Test cel(TypedExtensionConfig c, ConfigPath at) {
    ConfigPath ta = at.field("typed_config");
    if (!c.getTypedConfig().getTypeUrl().equals(CEL_MATCHER)) {
      ta.error("custom_match must be " + CEL_MATCHER + ", not '" + c.getTypedConfig().getTypeUrl() + "'");
      return null;
    }
    CelMatcher m;
    try {
      m = c.getTypedConfig().unpack(CelMatcher.class);
    } catch (InvalidProtocolBufferException e) {
      ta.error("cannot decode " + CEL_MATCHER + ": " + e.getMessage());
      return null;
    }
    Fields.allowOnly(m, ta, Set.of("expr_match", "description"));
    CelCondition cond = expression(m.getExprMatch(), ta.field("expr_match"));
    return cond == null ? null : r -> cond.test(r.celActivation());
  }

  /** A {@code xds.type.v3.CelExpression} in any of its four forms. */
  static CelCondition expression(CelExpression e, ConfigPath at) {
    Fields.allowOnly(e, at, Set.of("parsed_expr", "checked_expr", "cel_expr_parsed", "cel_expr_checked"));
    int set = (e.hasParsedExpr() ? 1 : 0) + (e.hasCheckedExpr() ? 1 : 0) + (e.hasCelExprParsed() ? 1 : 0)
        + (e.hasCelExprChecked() ? 1 : 0);
    if (set != 1) {
      at.error("set exactly one of cel_expr_parsed, cel_expr_checked, parsed_expr, checked_expr (found " + set + ")");
      return null;
    }
    if (e.hasCelExprParsed()) {
      return CelCondition.compile(e.getCelExprParsed(), at.field("cel_expr_parsed"));
    }
    if (e.hasCelExprChecked()) {
      return CelCondition.compile(e.getCelExprChecked(), at.field("cel_expr_checked"));
    }
    return e.hasParsedExpr() ? CelCondition.compileV1alpha1(e.getParsedExpr(), at.field("parsed_expr"))
        : CelCondition.compileV1alpha1(e.getCheckedExpr(), at.field("checked_expr"));
  }
}
