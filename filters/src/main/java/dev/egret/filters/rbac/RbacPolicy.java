package dev.egret.filters.rbac;

import static java.util.Objects.requireNonNull;

/**
 * One compiled {@code envoy.config.rbac.v3.Policy}: it matches when some permission and some
 * principal match.
 */
record RbacPolicy(String name, RbacMatcher[] permissions, RbacMatcher[] principals) {
  RbacPolicy {
    requireNonNull(name, "name");
    permissions = permissions.clone();
    principals = principals.clone();
  }

  boolean matches(RbacRequest r) {
    return anyMatch(permissions, r) && anyMatch(principals, r);
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
