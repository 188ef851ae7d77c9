package dev.egret.filters.rbac;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;

/**
 * A compiled {@code envoy.config.rbac.v3.RBAC}: policies in lexicographic order of their names; the
 * first that matches is the effective policy. {@link Action#ALLOW}: allowed iff some policy matches;
 * {@link Action#DENY}: allowed iff none matches; {@link Action#LOG}: always allowed (the match only
 * informs logging). Immutable and shared by every stream; {@link #evaluate} allocates nothing.
 */
public final class RbacEngine {
  /** {@code RBAC.action}. */
  public enum Action { ALLOW, DENY, LOG }

  private final Action action;
  private final RbacPolicy[] policies;
  private final RbacDecision[] onMatch; // per policy
  private final RbacDecision onNoMatch;
  private final RbacMatcherTree tree; // the matcher form; null for policies

  /**
   * An engine for the matcher form ({@code RBAC.matcher}): the tree's actions decide, so
   * {@link #action()} reports ALLOW and {@link #policyNames()} is empty.
   */
  RbacEngine(RbacMatcherTree tree) {
    this.action = Action.ALLOW;
    this.policies = new RbacPolicy[0];
    this.onMatch = new RbacDecision[0];
    this.onNoMatch = new RbacDecision(false, null);
    this.tree = requireNonNull(tree, "tree");
  }

  RbacEngine(Action action, List<RbacPolicy> sortedPolicies) {
    this.tree = null;
    this.action = requireNonNull(action, "action");
    this.policies = sortedPolicies.toArray(new RbacPolicy[0]);
    this.onMatch = new RbacDecision[policies.length];
    for (int i = 0; i < policies.length; i++) {
      onMatch[i] = new RbacDecision(action != Action.DENY, policies[i].name());
    }
    this.onNoMatch = new RbacDecision(action != Action.ALLOW, null);
  }

  public Action action() {
    return action;
  }

  /** Policy names in evaluation order. */
  public List<String> policyNames() {
    List<String> out = new ArrayList<>(policies.length);
    for (RbacPolicy p : policies) {
      out.add(p.name());
    }
    return List.copyOf(out);
  }

  public RbacDecision evaluate(RbacRequest r) {
    if (tree != null) {
      return tree.evaluate(r);
    }
    for (int i = 0; i < policies.length; i++) {
      if (policies[i].matches(r)) {
        return onMatch[i];
      }
    }
    return onNoMatch;
  }
}
