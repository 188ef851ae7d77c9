package dev.egret.filters.rbac;

import static java.util.Objects.requireNonNull;

import dev.egret.filters.cel.CelCondition;

/**
 * One compiled {@code envoy.config.rbac.v3.Policy}: it matches when some permission and some
 * principal match and its {@code condition} / {@code checked_condition} (nullable) evaluates to true;
 * a condition that errors does not match.
 */
record RbacPolicy(String name, RbacMatcher[] permissions, RbacMatcher[] principals, CelCondition condition) {
  RbacPolicy {
    requireNonNull(name, "name");
    permissions = permissions.clone();
    principals = principals.clone();
  }

  RbacPolicy(String name, RbacMatcher[] permissions, RbacMatcher[] principals) {
    this(name, permissions, principals, null);
  }

  /** Some permission and some principal match, and the CEL condition (if any) is true. */
  boolean matches(RbacRequest r) {
    return anyMatch(permissions, r) && anyMatch(principals, r)
        && (condition == null || condition.test(r.celActivation()));
  }

  private static boolean anyMatch(RbacMatcher[] ms, RbacRequest r) {
    for (RbacMatcher m : ms) {
      if (m.matches(r)) {
        return true;
      }
    }
    return false;
  }
}
