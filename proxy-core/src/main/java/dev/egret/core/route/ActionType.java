package dev.egret.core.route;

/** What a matched route does: forward to a cluster, answer directly, or redirect. */
public enum ActionType {
  /** {@code Route.route}: forward upstream; see {@link ClusterAction}. */
  CLUSTER,
  /** {@code Route.direct_response}: answer with a fixed status and body; see {@link DirectResponse}. */
  DIRECT_RESPONSE,
  /** {@code Route.redirect}: answer with a redirect; see {@link Redirect}. */
  REDIRECT
}
