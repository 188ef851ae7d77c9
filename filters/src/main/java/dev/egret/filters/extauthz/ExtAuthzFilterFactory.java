package dev.egret.filters.extauthz;

import static java.util.Objects.requireNonNull;

import dev.egret.core.http.filter.HttpFilter;
import dev.egret.core.http.filter.HttpFilterFactory;
import dev.egret.core.stream.StreamInfo;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A compiled {@code envoy.extensions.filters.http.ext_authz.v3.ExtAuthz}: immutable settings and the
 * client that reaches the authorization server, shared by every stream of its connection manager.
 */
public final class ExtAuthzFilterFactory implements HttpFilterFactory {
  /** Settings that decide what the filter does with a decision. */
  record Policy(boolean failureModeAllow, boolean failureModeAllowHeaderAdd, int statusOnError,
      double enabledFraction, EnabledMetadata enabledMetadata, boolean denyAtDisable, boolean validateMutations,
      boolean ingestMetadata) {}

  final String filterName;
  final AuthzClient client;
  final Policy policy;
  final ExtAuthzStats stats;

  ExtAuthzFilterFactory(String filterName, AuthzClient client, Policy policy, ExtAuthzStats stats) {
    this.filterName = requireNonNull(filterName);
    this.client = requireNonNull(client);
    this.policy = requireNonNull(policy);
    this.stats = requireNonNull(stats);
  }

  public ExtAuthzStats stats() {
    return stats;
  }

  /** {@code filter_enabled} (sampled) and {@code filter_enabled_metadata} both allow the check. */
  boolean enabled(StreamInfo info) {
    if (policy.enabledFraction() < 1.0 && ThreadLocalRandom.current().nextDouble() >= policy.enabledFraction()) {
      return false;
    }
    return policy.enabledMetadata() == null || policy.enabledMetadata().matches(info.dynamicMetadata());
  }

  @Override
  public HttpFilter newFilter() {
    return new ExtAuthzFilter(this);
  }
}
