package dev.egret.core.route;

import static java.util.Objects.requireNonNull;

/**
 * One entry of {@code RouteAction.weighted_clusters}.
 *
 * @param name            the cluster
 * @param weight          its weight; 0 means it is never picked
 * @param requestHeaders  its {@code request_headers_to_add/remove}, applied when it is picked
 * @param responseHeaders its {@code response_headers_to_add/remove}, applied when it is picked
 */
public record WeightedCluster(String name, long weight, HeaderMutation requestHeaders,
    HeaderMutation responseHeaders) {
  public WeightedCluster {
    requireNonNull(name, "name");
    requireNonNull(requestHeaders, "requestHeaders");
    requireNonNull(responseHeaders, "responseHeaders");
    if (weight < 0) {
      throw new IllegalArgumentException("weight " + weight);
    }
  }

  /** An entry without header changes. */
  public WeightedCluster(String name, long weight) {
    this(name, weight, HeaderMutation.NONE, HeaderMutation.NONE);
  }
}
